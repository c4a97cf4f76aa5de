from django.urls import path

from journeys import views

urlpatterns = [
    path("", views.home, name="home"),
]
