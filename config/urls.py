from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from alerts.api import EventViewSet, WebhookViewSet
from feedback.api import FeedbackViewSet, ImportProfileViewSet, ImportViewSet
from journeys.api import StageViewSet
from maps.api import JourneyViewSet, ShareLinkViewSet, TouchpointViewSet
from maps.document_api import JourneyTemplateViewSet
from moments.api import MomentViewSet


class Router(DefaultRouter):
    # No format-suffix routes (`map.json`): `?format=` and Accept choose the representation.
    include_format_suffixes = False


router = Router()
router.register("journeys", JourneyViewSet, basename="journey")
router.register("share-links", ShareLinkViewSet, basename="share-link")
router.register("stages", StageViewSet, basename="stage")
router.register("touchpoints", TouchpointViewSet, basename="touchpoint")
router.register("moments", MomentViewSet, basename="moment")
router.register("feedback", FeedbackViewSet, basename="feedback")
router.register("imports", ImportViewSet, basename="import")
router.register("import-profiles", ImportProfileViewSet, basename="import-profile")
router.register("journey-templates", JourneyTemplateViewSet, basename="journey-template")
router.register("events", EventViewSet, basename="event")
router.register("webhooks", WebhookViewSet, basename="webhook")

urlpatterns = [
    # First: most requests are the API's, and each pattern before it is tried in turn.
    path("api/v1/", include(router.urls)),
    path("", include("maps.urls")),
    path("", include("feedback.urls")),
    path("", include("alerts.urls")),
    path("", include("workspaces.urls")),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's settings as a script of its own: no inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]

handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"
