"""Edits of a map from its page. For HTMX each answers with the pieces it changed, swapped out of
band (a card, a stage's cards, a stage header, the lanes, the emotion curve, the summary), or the
panel with them; a plain form post is redirected back to the page."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from alerts.selectors import is_following
from config.errors import StaleVersion
from journeys import services as journey_services
from journeys.forms import MoveForm, StageForm
from journeys.models import Journey, Stage, StageKind
from maps.panel import panel_context
from maps.views import journey_for, map_context, touchpoint_for
from moments import services as moment_services
from moments.forms import MomentTagForm
from moments.models import Moment
from touchpoints import services as touchpoint_services
from touchpoints.forms import TouchpointAddForm, TouchpointEditForm, TouchpointMoveForm
from touchpoints.models import Touchpoint
from workspaces.access import check_role, scoped
from workspaces.models import Role


def changes(
    context: dict, *, heads=(), lists=(), cards=(), lanes=False, emotion=False, summary=False
) -> dict:
    """The changed pieces, found in a freshly built map context: stage headers and card lists
    by stage id, cards by touchpoint id."""
    stages = {str(stage.pk): stage for stage in context["stages"]}
    by_id = {card["pk"]: card for stage in context["stages"] for card in stage.cards}
    return {
        "heads": [stages[str(pk)] for pk in dict.fromkeys(heads) if str(pk) in stages],
        "lists": [stages[str(pk)] for pk in dict.fromkeys(lists) if str(pk) in stages],
        "cards": [by_id[str(pk)] for pk in cards if str(pk) in by_id],
        "lanes": lanes,
        "emotion": emotion,
        "summary": summary,
        # Whether any card still matches the highlight may have changed with the cards.
        "filter_status": context["filtering"] and bool(cards or lists),
    }


def changes_response(request: HttpRequest, journey: Journey, **changed) -> HttpResponse:
    if not request.htmx:
        return redirect("maps:map", pk=journey.pk)
    context = map_context(request, journey)
    context["changes"] = changes(context, **changed)
    return render(request, "maps/changes.html", context)


def board_response(request: HttpRequest, journey: Journey) -> HttpResponse:
    """After an edit of the stages themselves (added, moved, deleted): the whole board."""
    if not request.htmx:
        return redirect("maps:map", pk=journey.pk)
    return render(request, "maps/map.html#board", map_context(request, journey))


def panel_response(
    request: HttpRequest, touchpoint: Touchpoint, status: int = 200, changed=None, **forms
) -> HttpResponse:
    """After a change in the panel: for HTMX the panel with the map's changed pieces; else the
    map page with the panel open."""
    context = {
        **map_context(request, touchpoint.journey, selected=touchpoint),
        **panel_context(request, touchpoint, **forms),
    }
    if not request.htmx:
        context["following"] = is_following(user=request.user, journey=touchpoint.journey)
        return render(request, "maps/map.html", context, status=status)
    if changed:
        context["changes"] = changes(context, **changed)
    return render(request, "maps/panel.html", context, status=status)


def stage_for_edit(request: HttpRequest, pk) -> Stage:
    queryset = scoped(request, Stage.objects, "journey__workspace_id").select_related(
        "journey__workspace"
    )
    stage = get_object_or_404(queryset, pk=pk)
    check_role(request, stage.journey.workspace_id, Role.MANAGER)
    return stage


@require_POST
@login_required
def stage_add(request: HttpRequest, pk) -> HttpResponse:
    journey = journey_for(request, pk)
    check_role(request, journey.workspace_id, Role.MANAGER)
    form = StageForm(request.POST)
    if form.is_valid():
        journey_services.stage_create(
            journey=journey, name=form.cleaned_data["name"], kind=StageKind.CUSTOM
        )
    return board_response(request, journey)


@require_POST
@login_required
def stage_rename(request: HttpRequest, pk) -> HttpResponse:
    stage = stage_for_edit(request, pk)
    form = StageForm(request.POST, instance=stage)
    if form.is_valid():
        journey_services.stage_update(stage=stage, name=form.cleaned_data["name"])
    return changes_response(request, stage.journey, heads=[stage.pk])


@require_POST
@login_required
def stage_move(request: HttpRequest, pk) -> HttpResponse:
    stage = stage_for_edit(request, pk)
    form = MoveForm(request.POST)
    if form.is_valid():
        journey_services.stage_update(stage=stage, position=form.cleaned_data["position"])
    return board_response(request, stage.journey)


@require_POST
@login_required
def stage_delete(request: HttpRequest, pk) -> HttpResponse:
    stage = stage_for_edit(request, pk)
    journey_services.stage_delete(stage=stage)
    return board_response(request, stage.journey)


@require_POST
@login_required
def touchpoint_add(request: HttpRequest, pk) -> HttpResponse:
    stage = stage_for_edit(request, pk)
    form = TouchpointAddForm(request.POST)
    if form.is_valid():
        touchpoint_services.touchpoint_create(stage=stage, **form.cleaned_data)
    return changes_response(request, stage.journey, lists=[stage.pk], lanes=True, emotion=True)


@require_POST
@login_required
def touchpoint_move(request: HttpRequest, pk) -> HttpResponse:
    touchpoint = touchpoint_for(request, pk, Role.MANAGER)
    origin = touchpoint.stage_id
    form = TouchpointMoveForm(request.POST)
    if form.is_valid() and (form.cleaned_data["stage"] or form.cleaned_data["direction"]):
        data = form.cleaned_data
        if data["stage"]:
            stage = Stage.objects.filter(pk=data["stage"], journey_id=touchpoint.journey_id).first()
            if stage is None:
                raise Http404
            position = data["position"]
        else:
            stage, position = touchpoint_services.touchpoint_step(
                touchpoint=touchpoint, direction=data["direction"]
            )
        touchpoint_services.touchpoint_update(touchpoint=touchpoint, stage=stage, position=position)
    stages = [origin, touchpoint.stage_id]
    heads = stages if origin != touchpoint.stage_id else []
    return changes_response(
        request, touchpoint.journey, lists=stages, heads=heads, lanes=True, emotion=True
    )


@require_POST
@login_required
def touchpoint_edit(request: HttpRequest, pk) -> HttpResponse:
    touchpoint = touchpoint_for(request, pk, Role.MANAGER)
    form = TouchpointEditForm(request.POST, instance=touchpoint)
    if not form.is_valid():
        # The form wrote the rejected values on the instance; the panel shows the stored ones.
        touchpoint.refresh_from_db(fields=form.Meta.fields)
        return panel_response(request, touchpoint, status=400, form=form)
    try:
        touchpoint_services.touchpoint_update(
            touchpoint=touchpoint, version=form.cleaned_data["version"], **form.changes()
        )
    except StaleVersion:
        return edit_conflict(request, touchpoint, form)
    if not request.htmx:
        return redirect("maps:touchpoint", pk=touchpoint.pk)
    changed = {"cards": [touchpoint.pk], "lanes": True, "emotion": True}
    return panel_response(request, touchpoint, changed=changed, saved=True)


def edit_conflict(request: HttpRequest, touchpoint: Touchpoint, form) -> HttpResponse:
    """Someone saved the touchpoint since this form was read: show what is stored now beside
    what was typed, and a form that would, saved again, knowingly replace it."""
    touchpoint.refresh_from_db()
    theirs = TouchpointEditForm(instance=touchpoint)
    conflict = [
        (form.fields[name].label, form[name].value(), theirs[name].value())
        for name, value in form.edited().items()
        if value != form.stored(name)
    ]
    data = request.POST.copy()
    data["version"] = touchpoint.version
    retry = TouchpointEditForm(data, instance=touchpoint)
    return panel_response(request, touchpoint, status=409, form=retry, conflict=conflict)


@require_POST
@login_required
def touchpoint_delete(request: HttpRequest, pk) -> HttpResponse:
    touchpoint = touchpoint_for(request, pk, Role.MANAGER)
    touchpoint_services.touchpoint_delete(touchpoint=touchpoint)
    return redirect("maps:map", pk=touchpoint.journey_id)


def after_tagging(request: HttpRequest, touchpoint: Touchpoint) -> HttpResponse:
    """Moment impact weighs the touchpoint in its stage and journey health: the card's badges,
    its stage's header and the summary change with the panel."""
    if not request.htmx:
        return redirect("maps:touchpoint", pk=touchpoint.pk)
    changed = {"cards": [touchpoint.pk], "heads": [touchpoint.stage_id], "summary": True}
    return panel_response(request, touchpoint, changed=changed)


@require_POST
@login_required
def moment_tag(request: HttpRequest, pk) -> HttpResponse:
    touchpoint = touchpoint_for(request, pk, Role.ANALYST)
    form = MomentTagForm(request.POST, touchpoint=touchpoint)
    if not form.is_valid():
        return panel_response(request, touchpoint, status=400, tag_form=form)
    moment_services.moment_tag(
        touchpoint=touchpoint, tagged_by=request.user.get_username(), **form.cleaned_data
    )
    return after_tagging(request, touchpoint)


@require_POST
@login_required
def moment_untag(request: HttpRequest, pk) -> HttpResponse:
    queryset = scoped(request, Moment.objects, "touchpoint__workspace_id")
    moment = get_object_or_404(queryset.select_related("touchpoint"), pk=pk)
    check_role(request, moment.touchpoint.workspace_id, Role.ANALYST)
    moment_services.moment_untag(moment=moment)
    return after_tagging(request, touchpoint_for(request, moment.touchpoint_id))
