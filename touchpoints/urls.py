from django.urls import path

from touchpoints import views

app_name = "touchpoints"
urlpatterns = [
    path("stages/<uuid:stage_pk>/touchpoints/add/", views.add, name="add"),
    path("touchpoints/<uuid:pk>/", views.detail, name="detail"),
    path("touchpoints/<uuid:pk>/edit/", views.edit, name="edit"),
    path("touchpoints/<uuid:pk>/move/", views.move, name="move"),
    path("touchpoints/<uuid:pk>/delete/", views.delete, name="delete"),
]
