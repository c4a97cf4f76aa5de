"""Which workspaces a caller reaches, and with which role. Every app scopes through here."""

import re

from django.utils.translation import gettext as _
from rest_framework import permissions
from rest_framework.exceptions import PermissionDenied, ValidationError

from workspaces.models import ApiToken, Membership, Workspace, role_allows

SLUG = re.compile(r"[-a-zA-Z0-9_]{1,50}")


def caller_roles(request) -> dict[int, str]:
    """{workspace_id: role} for the caller, computed once per request."""
    cached = getattr(request, "_workspace_roles", None)
    if cached is not None:
        return cached
    auth = getattr(request, "auth", None)
    if isinstance(auth, ApiToken):
        roles = {auth.workspace_id: auth.role}
    elif request.user.is_authenticated:
        roles = dict(
            Membership.objects.filter(user=request.user).values_list("workspace_id", "role")
        )
    else:
        roles = {}
    request._workspace_roles = roles
    return roles


def require_role(request, workspace_id: int, role: str) -> None:
    if not role_allows(caller_roles(request).get(workspace_id), role):
        raise PermissionDenied(_("This needs the %(role)s role in the workspace.") % {"role": role})


def target_workspace(request, role: str, slug: str | None = None) -> Workspace:
    """The workspace a new object goes to: the one named, or the only one the caller can write
    to with `role`."""
    roles = caller_roles(request)
    if slug:
        workspace = None
        if SLUG.fullmatch(slug):
            workspace = Workspace.objects.filter(slug=slug, pk__in=roles).first()
        if workspace is None:
            raise ValidationError(
                {"workspace": [_("No workspace %(slug)s is yours.") % {"slug": repr(slug)}]}
            )
        require_role(request, workspace.pk, role)
        return workspace
    writable = [pk for pk, caller_role in roles.items() if role_allows(caller_role, role)]
    if not writable:
        raise PermissionDenied(_("This needs the %(role)s role in a workspace.") % {"role": role})
    if len(writable) > 1:
        raise ValidationError({"workspace": [_("Say which workspace: you can write to several.")]})
    return Workspace.objects.get(pk=writable[0])


class HasWorkspaceRole(permissions.BasePermission):
    """Callers must be signed in; reads need any role (the queryset hides other workspaces);
    writes need `view.write_role`."""

    def has_permission(self, request, view) -> bool:
        if not request.user.is_authenticated:
            return False  # DRF answers 401 with the WWW-Authenticate challenge
        # A URL naming an object is decided on that object, so a foreign one is a 404, not a 403.
        if request.method in permissions.SAFE_METHODS or view.kwargs:
            return True
        return any(role_allows(role, view.write_role) for role in caller_roles(request).values())

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        role = getattr(view, "action_write_roles", {}).get(view.action, view.write_role)
        return role_allows(caller_roles(request).get(obj.workspace_id), role)
