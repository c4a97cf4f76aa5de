"""Access rules for the HTML views: the same roles and workspace scoping as the API."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from workspaces.models import Membership, Role, Workspace, role_allows
from workspaces.permissions import caller_roles

SESSION_KEY = "workspace_id"


def current_workspace(request: HttpRequest) -> Workspace | None:
    """The workspace the user works in: the one chosen in the switcher, else their first."""
    roles = caller_roles(request)
    if not roles:
        return None
    chosen = request.session.get(SESSION_KEY)
    workspace_id = chosen if chosen in roles else min(roles)
    return Workspace.objects.get(pk=workspace_id)


def role_in(request: HttpRequest, workspace_id: int) -> str | None:
    return caller_roles(request).get(workspace_id)


def check_role(request: HttpRequest, workspace_id: int, role: str) -> None:
    """403 for a member without the role; 404 for anyone else (they must not learn it exists)."""
    current = role_in(request, workspace_id)
    if current is None:
        raise Http404
    if not role_allows(current, role):
        raise PermissionDenied


def scoped(request: HttpRequest, queryset, workspace_field: str = "workspace_id"):
    return queryset.filter(**{f"{workspace_field}__in": list(caller_roles(request))})


def can(request: HttpRequest, workspace_id: int) -> dict[str, bool]:
    """What the user may do in a workspace, for templates."""
    role = role_in(request, workspace_id)
    return {
        "edit": role_allows(role, Role.MANAGER),
        "tag": role_allows(role, Role.ANALYST),
        "import": role_allows(role, Role.ANALYST),
    }


def memberships(request: HttpRequest):
    return Membership.objects.filter(user=request.user).select_related("workspace")
