from django.urls import path

from feedback import views

app_name = "feedback"
urlpatterns = [
    path("imports/", views.imports, name="imports"),
    path("imports/preview/", views.import_preview, name="import-preview"),
    path("imports/<uuid:pk>/", views.import_detail, name="import-detail"),
    path("imports/<uuid:pk>/rejected/", views.import_rejected, name="import-rejected"),
]
