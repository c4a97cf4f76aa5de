from django.urls import path

from journeys import views

app_name = "journeys"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("journeys/new/", views.journey_create, name="create"),
    path("journeys/<uuid:pk>/", views.journey_map, name="map"),
    path("journeys/<uuid:pk>/at-risk/", views.at_risk, name="at-risk"),
    path("journeys/<uuid:pk>/stages/add/", views.stage_add, name="stage-add"),
    path("stages/<uuid:pk>/rename/", views.stage_rename, name="stage-rename"),
    path("stages/<uuid:pk>/move/", views.stage_move, name="stage-move"),
    path("stages/<uuid:pk>/delete/", views.stage_delete, name="stage-delete"),
]
