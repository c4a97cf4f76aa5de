from workspaces.access import can, current_workspace, memberships


def workspace(request) -> dict:
    user = getattr(request, "user", None)
    # An API token's caller (an HTML answer of DRF's: the docs, the browsable API) is no member.
    if user is None or not user.is_authenticated or user.pk is None:
        return {}
    current = current_workspace(request)
    return {
        "current_workspace": current,
        "workspace_memberships": memberships(request),
        "can": can(request, current.pk) if current else {},
    }
