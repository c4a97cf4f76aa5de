"""The pages that show whole maps: the dashboard, a journey's map with its touchpoint panel, its
customers at risk and its history. The edits of the map are in maps/edits.py."""

from urllib.parse import urlsplit

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from alerts.selectors import is_following
from feedback.at_risk import at_risk_counts, at_risk_customers, customer_bad_experiences
from feedback.scoring import AT_RISK_FROM, HEALTHY_FROM
from journeys import services
from journeys.forms import JourneyCreateForm, JourneyEditForm
from journeys.models import Band, Journey
from maps import selectors
from maps.blueprints import BLUEPRINTS, journey_create_from_blueprint
from maps.history import JourneyHistory, readable
from maps.panel import panel_context
from moments.models import MOMENT_SHORT_LABELS, MomentType
from touchpoints.models import Channel, Touchpoint
from workspaces.access import can, check_role, current_workspace, scoped
from workspaces.models import Role

FILTERS = ("type", "band", "channel")
HISTORY_PAGE_SIZE = 50


def dashboard_context(request: HttpRequest, workspace, form=None) -> dict:
    """The active journeys' cards (with the edit form for managers) and the archived ones."""
    context = {"journeys": [], "archived": [], "form": form or JourneyCreateForm()}
    if workspace is None:
        return context
    context["journeys"] = selectors.dashboard_journeys(workspace)
    if can(request, workspace.pk)["edit"]:
        for journey in context["journeys"]:
            journey.edit_form = JourneyEditForm(instance=journey)
    context["archived"] = selectors.archived_journeys(workspace)
    return context


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    context = dashboard_context(request, current_workspace(request))
    return render(request, "maps/dashboard.html", context)


@require_POST
@login_required
def journey_create(request: HttpRequest) -> HttpResponse:
    workspace = current_workspace(request)
    if workspace is None:
        return redirect("maps:dashboard")
    check_role(request, workspace.pk, Role.MANAGER)
    form = JourneyCreateForm(request.POST)
    if not form.is_valid():
        context = {**dashboard_context(request, workspace, form), "form_open": True}
        return render(request, "maps/dashboard.html", context, status=400)
    start_from, data = form.cleaned_data.pop("start_from"), form.cleaned_data
    if start_from in BLUEPRINTS:
        journey = journey_create_from_blueprint(
            workspace=workspace,
            blueprint=BLUEPRINTS[start_from],
            tagged_by=request.user.get_username(),
            **data,
        )
    else:
        stages = [] if start_from == "empty" else None
        journey = services.journey_create(workspace=workspace, stages=stages, **data)
    return redirect("maps:map", pk=journey.pk)


def journey_for(request: HttpRequest, pk) -> Journey:
    return get_object_or_404(scoped(request, Journey.objects).select_related("workspace"), pk=pk)


def touchpoint_for(request: HttpRequest, pk, role: str | None = None) -> Touchpoint:
    queryset = scoped(request, Touchpoint.objects).select_related("workspace", "journey", "stage")
    touchpoint = get_object_or_404(queryset, pk=pk)
    if role:
        check_role(request, touchpoint.workspace_id, role)
    return touchpoint


def page_filters(request: HttpRequest) -> dict[str, str]:
    """The map's highlight filters: the page's own query, or for an HTMX request the query of
    the page it came from, so that an edit keeps the highlighting."""
    query = request.GET
    if request.htmx and request.htmx.current_url:
        query = QueryDict(urlsplit(request.htmx.current_url).query)
    return {name: query.get(name, "") for name in FILTERS}


LEGEND = {
    "moments": [(value, MOMENT_SHORT_LABELS[value], label) for value, label in MomentType.choices],
    "healthy_from": HEALTHY_FROM,
    "at_risk_from": AT_RISK_FROM,
}


def board_context(journey: Journey, filters: dict[str, str]) -> dict:
    """What the map's summary, board, lanes and emotion curve show, to members and to the
    holders of a share link alike."""
    stages = selectors.board_stages(journey, filters)
    cards = [card for stage in stages for card in stage.cards]
    filtering = any(filters.values())
    return {
        "journey": journey,
        "stages": stages,
        "filters": filters,
        "filtering": filtering,
        "filter_query": selectors.filter_query(filters),
        "no_match": filtering and not any(card["matches"] for card in cards),
        "legend": LEGEND,
        "critical_moments": sum(
            len(card["moments"]) for card in cards if card["health_band"] == Band.CRITICAL
        ),
        "moments_total": sum(len(card["moments"]) for card in cards),
        "emotion_curve": selectors.emotion_curve(stages),
        "lanes": selectors.lanes(journey, stages),
        "moment_types": MomentType.choices,
        "bands": Band.choices,
        "channels": Channel.choices,
    }


def map_context(request: HttpRequest, journey: Journey, selected: Touchpoint | None = None):
    return {
        **board_context(journey, page_filters(request)),
        "filter_url": reverse("maps:map", args=[journey.pk]),
        "selected_pk": str(selected.pk) if selected else "",
        "can": can(request, journey.workspace_id),
        "at_risk_count": at_risk_counts([journey.pk]).get(journey.pk, 0),
    }


@login_required
@require_GET
@vary_on_headers("HX-Request", "HX-Target")
def journey_map(request: HttpRequest, pk) -> HttpResponse:
    journey = journey_for(request, pk)
    if request.htmx.target == "panel-slot":
        return HttpResponse()  # the panel closed: the page around it is the map already
    context = map_context(request, journey)
    if request.htmx:
        return render(request, "maps/map.html#board", context)
    context["following"] = is_following(user=request.user, journey=journey)
    return render(request, "maps/map.html", context)


@login_required
@require_GET
def journey_print(request: HttpRequest, pk) -> HttpResponse:
    """The whole map for paper: the map page's pieces without their controls."""
    journey = journey_for(request, pk)
    context = {**map_context(request, journey), "printed_at": timezone.now()}
    return render(request, "maps/print.html", context)


@login_required
@require_GET
@vary_on_headers("HX-Request")
def touchpoint_detail(request: HttpRequest, pk) -> HttpResponse:
    """The touchpoint panel: beside the map on a full page, alone for HTMX."""
    touchpoint = touchpoint_for(request, pk)
    panel = panel_context(request, touchpoint)
    if request.htmx:
        panel["filter_query"] = selectors.filter_query(page_filters(request))
        return render(request, "maps/panel.html", panel)
    context = {**map_context(request, touchpoint.journey, selected=touchpoint), **panel}
    context["following"] = is_following(user=request.user, journey=touchpoint.journey)
    return render(request, "maps/map.html", context)


@login_required
@require_GET
def at_risk(request: HttpRequest, pk) -> HttpResponse:
    journey = journey_for(request, pk)
    report = at_risk_customers(journey, limit=500)
    customers = report["customers"]
    experiences = customer_bad_experiences(journey, [c["customer_ref"] for c in customers])
    for number, customer in enumerate(customers, start=1):
        customer["experiences"] = experiences[customer["customer_ref"]]
        customer["anchor"] = f"customer-{number}"
    context = {
        "journey": journey,
        "report": report,
        "hotspot_max": max((h["negative_count"] for h in report["hotspots"]), default=0),
    }
    return render(request, "maps/at_risk.html", context)


@login_required
@require_GET
def journey_history(request: HttpRequest, pk) -> HttpResponse:
    journey = journey_for(request, pk)
    paginator = Paginator(JourneyHistory(journey.pk), HISTORY_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "journey": journey,
        "page": page,
        "events": readable(page.object_list, journey.lanes),
    }
    return render(request, "maps/history.html", context)
