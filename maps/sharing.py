"""Share links: a journey's managers make and revoke them on its share page, and whoever holds
one sees the live map read-only, without signing in (journeys.models.ShareLink)."""

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alerts.email import absolute
from journeys.forms import ShareLinkForm
from journeys.models import Journey, ShareLink
from maps.views import board_context, journey_for, page_filters
from workspaces.access import check_role, scoped
from workspaces.audit import actor_name
from workspaces.models import Role


def share_url(token: str) -> str:
    return absolute(reverse("maps:shared", args=[token]))


def share_link_create(*, journey: Journey, expires_at=None, created_by: str = ""):
    """A new link to the journey's map; returns (link, its absolute URL, shown this once)."""
    link, token = ShareLink.issue(journey=journey, expires_at=expires_at, created_by=created_by)
    return link, share_url(token)


def share_page(request: HttpRequest, journey: Journey, status=200, **context) -> HttpResponse:
    context = {
        "journey": journey,
        "links": journey.share_links.live(),
        "form": ShareLinkForm(),
        **context,
    }
    template = "maps/share.html#share-links" if request.htmx else "maps/share.html"
    return render(request, template, context, status=status)


def managed_journey(request: HttpRequest, pk) -> Journey:
    journey = journey_for(request, pk)
    check_role(request, journey.workspace_id, Role.MANAGER)
    return journey


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def share(request: HttpRequest, pk) -> HttpResponse:
    """GET: the journey's live share links; POST: a new one, whose URL this answer shows once."""
    journey = managed_journey(request, pk)
    if request.method == "GET":
        return share_page(request, journey)
    form = ShareLinkForm(request.POST)
    if not form.is_valid():
        return share_page(request, journey, 400, form=form)
    days = form.cleaned_data["expires_in"]
    link, url = share_link_create(
        journey=journey,
        expires_at=timezone.now() + timedelta(days=days) if days else None,
        created_by=actor_name(request.user),
    )
    return share_page(request, journey, new_link=link, new_url=url)


@never_cache
@require_POST
@login_required
def share_revoke(request: HttpRequest, pk) -> HttpResponse:
    links = scoped(request, ShareLink.objects.live(), "journey__workspace_id")
    link = get_object_or_404(links.select_related("journey__workspace"), pk=pk)
    check_role(request, link.journey.workspace_id, Role.MANAGER)
    link.revoke(by=actor_name(request.user))
    if not request.htmx:
        return redirect("maps:share", pk=link.journey_id)
    return share_page(request, link.journey)


@never_cache
@require_GET
def shared_map(request: HttpRequest, token: str) -> HttpResponse:
    """The live map, its health and emotion curve, read-only, for whoever holds the link."""
    link = ShareLink.opened_by(token)
    if link is None:
        raise Http404
    context = {
        **board_context(link.journey, page_filters(request)),
        "filter_url": request.path,
        "shared": True,
        "can": {},
    }
    response = render(request, "maps/shared.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response
