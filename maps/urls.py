from django.urls import path

from maps import edits, manage, sharing, views

app_name = "maps"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("journeys/new/", views.journey_create, name="create"),
    path("journeys/<uuid:pk>/", views.journey_map, name="map"),
    path("journeys/<uuid:pk>/at-risk/", views.at_risk, name="at-risk"),
    path("journeys/<uuid:pk>/history/", views.journey_history, name="history"),
    path("journeys/<uuid:pk>/share/", sharing.share, name="share"),
    path("share-links/<uuid:pk>/revoke/", sharing.share_revoke, name="share-revoke"),
    path("shared/<str:token>/", sharing.shared_map, name="shared"),
    path("journeys/<uuid:pk>/print/", views.journey_print, name="print"),
    path("touchpoints/<uuid:pk>/", views.touchpoint_detail, name="touchpoint"),
    path("journeys/<uuid:pk>/edit/", manage.journey_edit, name="journey-edit"),
    path("journeys/<uuid:pk>/lanes/", manage.journey_lanes, name="journey-lanes"),
    path("journeys/<uuid:pk>/duplicate/", manage.journey_duplicate, name="journey-duplicate"),
    path("journeys/<uuid:pk>/archive/", manage.journey_archive, name="journey-archive"),
    path("journeys/<uuid:pk>/unarchive/", manage.journey_unarchive, name="journey-unarchive"),
    path("journeys/<uuid:pk>/delete/", manage.journey_delete, name="journey-delete"),
    path("journeys/<uuid:pk>/stages/add/", edits.stage_add, name="stage-add"),
    path("stages/<uuid:pk>/rename/", edits.stage_rename, name="stage-rename"),
    path("stages/<uuid:pk>/move/", edits.stage_move, name="stage-move"),
    path("stages/<uuid:pk>/delete/", edits.stage_delete, name="stage-delete"),
    path("stages/<uuid:pk>/touchpoints/add/", edits.touchpoint_add, name="touchpoint-add"),
    path("touchpoints/<uuid:pk>/edit/", edits.touchpoint_edit, name="touchpoint-edit"),
    path("touchpoints/<uuid:pk>/move/", edits.touchpoint_move, name="touchpoint-move"),
    path("touchpoints/<uuid:pk>/delete/", edits.touchpoint_delete, name="touchpoint-delete"),
    path("touchpoints/<uuid:pk>/moments/", edits.moment_tag, name="moment-tag"),
    path("moments/<uuid:pk>/delete/", edits.moment_untag, name="moment-untag"),
]
