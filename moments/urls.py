from django.urls import path

from moments import views

app_name = "moments"
urlpatterns = [
    path("touchpoints/<uuid:touchpoint_pk>/moments/", views.tag, name="tag"),
    path("moments/<uuid:pk>/delete/", views.untag, name="untag"),
]
