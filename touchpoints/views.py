from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from journeys.models import Stage
from journeys.views import board_or_redirect, map_context
from touchpoints import services
from touchpoints.forms import TouchpointAddForm, TouchpointEditForm, TouchpointMoveForm
from touchpoints.models import Touchpoint
from touchpoints.panel import panel_context
from workspaces.access import check_role, scoped
from workspaces.models import Role


def touchpoint_for(request: HttpRequest, pk, role: str | None = None) -> Touchpoint:
    queryset = scoped(request, Touchpoint.objects).select_related("workspace", "stage")
    touchpoint = get_object_or_404(queryset, pk=pk)
    if role:
        check_role(request, touchpoint.workspace_id, role)
    return touchpoint


@login_required
@vary_on_headers("HX-Request")
def detail(request: HttpRequest, pk) -> HttpResponse:
    """The touchpoint panel: beside the map on a full page, alone for HTMX."""
    touchpoint = touchpoint_for(request, pk)
    panel = panel_context(request, touchpoint)
    if request.htmx:
        return render(request, "touchpoints/panel.html", panel)
    context = {**map_context(request, touchpoint.journey_id, selected=touchpoint), **panel}
    return render(request, "journeys/map.html", context)


@require_POST
@login_required
def add(request: HttpRequest, stage_pk) -> HttpResponse:
    stage = get_object_or_404(scoped(request, Stage.objects, "journey__workspace_id"), pk=stage_pk)
    check_role(request, stage.journey.workspace_id, Role.MANAGER)
    form = TouchpointAddForm(request.POST)
    if form.is_valid():
        services.touchpoint_create(stage=stage, **form.cleaned_data)
    return board_or_redirect(request, stage.journey_id)


def panel_response(
    request: HttpRequest, touchpoint: Touchpoint, status: int = 200, **forms
) -> HttpResponse:
    """After a change in the panel: for HTMX the panel, with the board refreshed out of band
    (names, badges and pills change there too); else the map page with the panel open."""
    context = {
        **map_context(request, touchpoint.journey_id, selected=touchpoint),
        **panel_context(request, touchpoint, **forms),
    }
    if request.htmx:
        context["refresh_board"] = True
        return render(request, "touchpoints/panel.html", context, status=status)
    return render(request, "journeys/map.html", context, status=status)


@require_POST
@login_required
def edit(request: HttpRequest, pk) -> HttpResponse:
    touchpoint = touchpoint_for(request, pk, Role.MANAGER)
    form = TouchpointEditForm(request.POST, instance=touchpoint)
    if not form.is_valid():
        # The form wrote the rejected values on the instance; the panel shows the stored ones.
        touchpoint.refresh_from_db(fields=list(form.fields))
        return panel_response(request, touchpoint, status=400, form=form)
    services.touchpoint_update(touchpoint=touchpoint, **form.cleaned_data)
    if not request.htmx:
        return redirect("touchpoints:detail", pk=touchpoint.pk)
    return panel_response(request, touchpoint)


def destination(touchpoint: Touchpoint, form: TouchpointMoveForm) -> tuple[Stage, int]:
    data = form.cleaned_data
    if data["stage"]:
        stage = Stage.objects.filter(pk=data["stage"], journey_id=touchpoint.journey_id).first()
        if stage is None:
            raise Http404
        return stage, data["position"]
    stages = list(Stage.objects.filter(journey_id=touchpoint.journey_id).order_by("position"))
    index = next(i for i, s in enumerate(stages) if s.pk == touchpoint.stage_id)
    direction = data["direction"]
    if direction == "up":
        return stages[index], max(touchpoint.position - 1, 0)
    if direction == "down":
        return stages[index], touchpoint.position + 1
    index = max(index - 1, 0) if direction == "left" else min(index + 1, len(stages) - 1)
    return stages[index], touchpoint.position


@require_POST
@login_required
def move(request: HttpRequest, pk) -> HttpResponse:
    touchpoint = touchpoint_for(request, pk, Role.MANAGER)
    form = TouchpointMoveForm(request.POST)
    if form.is_valid() and (form.cleaned_data["stage"] or form.cleaned_data["direction"]):
        stage, position = destination(touchpoint, form)
        services.touchpoint_update(touchpoint=touchpoint, stage=stage, position=position)
    return board_or_redirect(request, touchpoint.journey_id)


@require_POST
@login_required
def delete(request: HttpRequest, pk) -> HttpResponse:
    touchpoint = touchpoint_for(request, pk, Role.MANAGER)
    services.touchpoint_delete(touchpoint=touchpoint)
    return board_or_redirect(request, touchpoint.journey_id)
