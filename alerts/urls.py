from django.urls import path

from alerts import views

app_name = "alerts"
urlpatterns = [
    path("journeys/<uuid:pk>/events/", views.journey_events, name="events"),
    path("journeys/<uuid:pk>/follow/", views.follow, name="follow"),
    path("journeys/<uuid:pk>/unfollow/", views.unfollow, name="unfollow"),
    path("settings/webhooks/", views.webhooks, name="webhooks"),
    path("settings/webhooks/<uuid:pk>/", views.webhook_detail, name="webhook"),
    path("settings/webhooks/<uuid:pk>/ping/", views.webhook_ping, name="webhook-ping"),
    path("settings/webhooks/<uuid:pk>/delete/", views.webhook_delete, name="webhook-delete"),
]
