from django.urls import path

from workspaces import views

app_name = "workspaces"
urlpatterns = [
    path("workspaces/switch/", views.switch, name="switch"),
    path("settings/", views.settings, name="settings"),
    path("settings/scoring/", views.scoring_update, name="scoring"),
    path("settings/members/add/", views.member_add, name="member-add"),
    path("settings/members/<int:pk>/role/", views.member_role, name="member-role"),
    path("settings/members/<int:pk>/remove/", views.member_remove, name="member-remove"),
    path("settings/tokens/create/", views.token_create, name="token-create"),
    path("settings/tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
]
