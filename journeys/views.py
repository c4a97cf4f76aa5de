from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.backends.utils import csrf_input
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from feedback.at_risk import at_risk_counts, at_risk_customers, customer_bad_experiences
from journeys import selectors, services
from journeys.blueprints import BLUEPRINTS, journey_create_from_blueprint
from journeys.cards import cards_render
from journeys.forms import JourneyCreateForm, MoveForm, StageForm
from journeys.models import Band, Journey, Stage, StageKind
from moments.models import MomentType
from touchpoints.models import CHANNEL_ICONS, Channel
from workspaces.access import can, check_role, current_workspace, scoped
from workspaces.models import Role


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    workspace = current_workspace(request)
    journeys = selectors.dashboard_journeys(workspace) if workspace else []
    form = JourneyCreateForm()
    return render(request, "journeys/dashboard.html", {"journeys": journeys, "form": form})


@require_POST
@login_required
def journey_create(request: HttpRequest) -> HttpResponse:
    workspace = current_workspace(request)
    if workspace is None:
        return redirect("journeys:dashboard")
    check_role(request, workspace.pk, Role.MANAGER)
    form = JourneyCreateForm(request.POST)
    if not form.is_valid():
        journeys = selectors.dashboard_journeys(workspace)
        context = {"journeys": journeys, "form": form, "form_open": True}
        return render(request, "journeys/dashboard.html", context, status=400)
    start_from, data = form.cleaned_data.pop("start_from"), form.cleaned_data
    if start_from in BLUEPRINTS:
        journey = journey_create_from_blueprint(
            workspace=workspace,
            blueprint=BLUEPRINTS[start_from],
            name=data["name"],
            tagged_by=request.user.get_username(),
        )
        services.journey_update(journey=journey, **data)
    else:
        stages = [] if start_from == "empty" else None
        journey = services.journey_create(workspace=workspace, stages=stages, **data)
    return redirect("journeys:map", pk=journey.pk)


def map_context(request: HttpRequest, pk, selected=None) -> dict:
    journey = get_object_or_404(scoped(request, Journey.objects).select_related("workspace"), pk=pk)
    stages = selectors.board_stages(journey)
    filters = {name: request.GET.get(name, "") for name in ("type", "band", "channel")}
    touchpoints = [tp for stage in stages for tp in stage.cards]
    workspace = journey.workspace
    permissions = can(request, workspace.pk)
    for touchpoint in touchpoints:
        touchpoint.matches = matches(touchpoint, filters)
    cards_render(
        touchpoints,
        selected_pk=selected and selected.pk,
        can_edit=permissions["edit"],
        csrf_input=csrf_input(request),
    )
    return {
        "journey": journey,
        "stages": stages,
        "selected": selected,
        "filters": filters,
        "can": permissions,
        "at_risk_count": at_risk_counts([journey.pk]).get(journey.pk, 0),
        "critical_moments": sum(
            len(tp.moments) for tp in touchpoints if tp.health_band == Band.CRITICAL
        ),
        "moments_total": sum(len(tp.moments) for tp in touchpoints),
        "emotion_curve": emotion_curve(touchpoints),
        "moment_types": MomentType.choices,
        "bands": Band.choices,
        "channels": Channel.choices,
        "lanes": lanes(stages),
    }


def lanes(stages: list) -> list:
    """[(title, [cell per stage: [(name or "", text), …]])] under the board."""
    cells = [stage.cards for stage in stages]
    channels = {channel: f"{CHANNEL_ICONS[channel]} {label}" for channel, label in Channel.choices}
    return [
        (_("Channel"), [[("", channels[tp.channel]) for tp in s] for s in cells]),
        (
            _("Pain points"),
            [[(tp.name, tp.pain_points) for tp in s if tp.pain_points] for s in cells],
        ),
        (
            _("Opportunities"),
            [[(tp.name, tp.opportunities) for tp in s if tp.opportunities] for s in cells],
        ),
    ]


def matches(touchpoint, filters: dict) -> bool:
    types = {moment.type for moment in touchpoint.moments}
    return (
        (not filters["type"] or filters["type"] in types)
        and (not filters["band"] or touchpoint.health_band == filters["band"])
        and (not filters["channel"] or touchpoint.channel == filters["channel"])
    )


def emotion_curve(touchpoints) -> dict:
    """Designed emotion (−2…+2) against measured health mapped to the same scale."""
    return {
        "names": [tp.name for tp in touchpoints],
        "expected": [tp.expected_emotion for tp in touchpoints],
        "measured": [
            None if tp.health_score is None else round((tp.health_score - 50) / 25, 2)
            for tp in touchpoints
        ],
        "labels": {"expected": _("Designed emotion"), "measured": _("Measured experience")},
    }


@login_required
@vary_on_headers("HX-Request")
def journey_map(request: HttpRequest, pk) -> HttpResponse:
    context = map_context(request, pk)
    if request.htmx:
        return render(request, "journeys/map.html#board", context)
    return render(request, "journeys/map.html", context)


def board_or_redirect(request: HttpRequest, journey_id) -> HttpResponse:
    """After an edit: the refreshed board for HTMX, the map page for a plain form post."""
    if request.htmx:
        return render(request, "journeys/map.html#board", map_context(request, journey_id))
    return redirect("journeys:map", pk=journey_id)


def stage_for_edit(request: HttpRequest, pk) -> Stage:
    stage = get_object_or_404(scoped(request, Stage.objects, "journey__workspace_id"), pk=pk)
    check_role(request, stage.journey.workspace_id, Role.MANAGER)
    return stage


@require_POST
@login_required
def stage_add(request: HttpRequest, pk) -> HttpResponse:
    journey = get_object_or_404(scoped(request, Journey.objects), pk=pk)
    check_role(request, journey.workspace_id, Role.MANAGER)
    form = StageForm(request.POST)
    if form.is_valid():
        services.stage_create(
            journey=journey, name=form.cleaned_data["name"], kind=StageKind.CUSTOM
        )
    return board_or_redirect(request, journey.pk)


@require_POST
@login_required
def stage_rename(request: HttpRequest, pk) -> HttpResponse:
    stage = stage_for_edit(request, pk)
    form = StageForm(request.POST, instance=stage)
    if form.is_valid():
        services.stage_update(stage=stage, name=form.cleaned_data["name"])
    return board_or_redirect(request, stage.journey_id)


@require_POST
@login_required
def stage_move(request: HttpRequest, pk) -> HttpResponse:
    stage = stage_for_edit(request, pk)
    form = MoveForm(request.POST)
    if form.is_valid():
        services.stage_update(stage=stage, position=form.cleaned_data["position"])
    return board_or_redirect(request, stage.journey_id)


@require_POST
@login_required
def stage_delete(request: HttpRequest, pk) -> HttpResponse:
    stage = stage_for_edit(request, pk)
    services.stage_delete(stage=stage)
    return board_or_redirect(request, stage.journey_id)


@login_required
def at_risk(request: HttpRequest, pk) -> HttpResponse:
    journey = get_object_or_404(scoped(request, Journey.objects).select_related("workspace"), pk=pk)
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
    return render(request, "journeys/at_risk.html", context)
