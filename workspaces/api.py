"""Pieces every app's API uses: scoped querysets, related fields and the base view."""

from rest_framework import serializers, viewsets
from rest_framework.response import Response
from rest_framework.settings import api_settings

from workspaces import audit
from workspaces.permissions import HasWorkspaceRole, caller_roles

JSON = {"json", "api"}  # the formats DRF renders: JSON, and the browsable API with DEBUG on


class ScopedRelatedField(serializers.PrimaryKeyRelatedField):
    """A reference by id to an object in one of the caller's workspaces; others do not exist."""

    def __init__(self, *, model, workspace_lookup: str, select_related=(), **kwargs):
        self.model = model
        self.workspace_lookup = workspace_lookup
        self.select_related = select_related
        super().__init__(**kwargs)

    def get_queryset(self):
        roles = caller_roles(self.context["request"])
        scoped = self.model.objects.filter(**{f"{self.workspace_lookup}__in": roles})
        return scoped.select_related(*self.select_related)


class WorkspaceScopedViewSet(viewsets.GenericViewSet):
    """Reads see the caller's workspaces only; writes need `write_role` in the object's workspace."""

    permission_classes = [HasWorkspaceRole]
    write_role: str
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def finalize_response(self, request, response, *args, **kwargs):
        # Views that offer CSV or plain text write it themselves; whatever else such a request
        # meets (an error, most often) is answered in JSON, as every error is.
        renderer = getattr(request, "accepted_renderer", None)
        if isinstance(response, Response) and getattr(renderer, "format", None) not in JSON:
            request.accepted_renderer = api_settings.DEFAULT_RENDERER_CLASSES[0]()
            request.accepted_media_type = request.accepted_renderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # DRF authenticates here, after the middleware opened the request's audit context.
        audit.set_actor(audit.actor_name(request.user))

    @property
    def workspace_ids(self) -> list[int]:
        return list(caller_roles(self.request))

    @property
    def tagged_by(self) -> str:
        return str(self.request.user.username)
