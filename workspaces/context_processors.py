from workspaces.access import can, current_workspace, memberships


def workspace(request) -> dict:
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    current = current_workspace(request)
    return {
        "current_workspace": current,
        "workspace_memberships": memberships(request),
        "can": can(request, current.pk) if current else {},
    }
