from django.urls import path

from workspaces import views

app_name = "workspaces"
urlpatterns = [
    path("workspaces/switch/", views.switch, name="switch"),
    path("settings/", views.settings, name="settings"),
    path("settings/scoring/", views.scoring_update, name="scoring"),
    path("settings/members/invite/", views.member_invite, name="member-invite"),
    path(
        "settings/invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation-revoke"
    ),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    path("settings/members/<int:pk>/role/", views.member_role, name="member-role"),
    path("settings/members/<int:pk>/remove/", views.member_remove, name="member-remove"),
    path("settings/tokens/create/", views.token_create, name="token-create"),
    path("settings/tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
]
