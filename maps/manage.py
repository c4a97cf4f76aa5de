"""Managing journeys from the dashboard and the map's header: edit the name, persona and
description, set the lanes, duplicate, archive, unarchive and delete. Managers only; for anyone else in the
workspace a 403, outside it a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from config.errors import StaleVersion
from journeys import services as journey_services
from journeys.forms import JourneyEditForm, LaneFormSet, VersionForm, lane_rows
from journeys.models import Journey
from maps import documents, selectors
from maps.views import journey_for
from workspaces.access import can, check_role
from workspaces.models import Role

NAME_LENGTH = Journey._meta.get_field("name").max_length


def journey_to_manage(request: HttpRequest, pk) -> Journey:
    journey = journey_for(request, pk)
    check_role(request, journey.workspace_id, Role.MANAGER)
    return journey


def edit_answer(
    request: HttpRequest, journey: Journey, form: JourneyEditForm, status=200, conflict=None
) -> HttpResponse:
    """For HTMX (the dashboard) the journey's card with the form; else the edit page."""
    context = {"journey": journey, "form": form, "conflict": conflict}
    if request.htmx:
        (journey,) = selectors.with_card_stats([journey])
        journey.edit_form = form
        # Focus stays on the card, whose old markup the swap removes.
        context.update(can=can(request, journey.workspace_id), swapped=True)
        return render(request, "maps/dashboard.html#journey-card", context, status=status)
    return render(request, "maps/journey_edit.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def journey_edit(request: HttpRequest, pk) -> HttpResponse:
    journey = journey_to_manage(request, pk)
    if request.method == "GET":
        return edit_answer(request, journey, JourneyEditForm(instance=journey))
    form = JourneyEditForm(request.POST, instance=journey)
    if not form.is_valid():
        # The form wrote the rejected values on the instance; the card shows the stored ones.
        journey.refresh_from_db(fields=list(form.Meta.fields))
        return edit_answer(request, journey, form, status=400)
    try:
        journey = journey_services.journey_update(
            journey=journey, version=form.cleaned_data["version"], **form.changes()
        )
    except StaleVersion:
        return edit_conflict(request, journey, form)
    if request.htmx:
        return edit_answer(request, journey, JourneyEditForm(instance=journey))
    messages.success(request, _("The journey was saved."))
    return redirect("maps:map", pk=journey.pk)


def edit_conflict(request: HttpRequest, journey: Journey, form: JourneyEditForm) -> HttpResponse:
    """Someone saved the journey since this form was read: what is stored now beside what was
    typed, and a form that would, saved again, knowingly replace it."""
    journey.refresh_from_db()
    conflict = [
        (form.fields[name].label, value, getattr(journey, name))
        for name, value in form.changes().items()
        if value != getattr(journey, name)
    ]
    data = request.POST.copy()
    data["version"] = journey.version
    retry = JourneyEditForm(data, instance=journey)
    retry.is_valid()  # valid, as the form was; cleaning wrote the values typed on the instance
    journey.refresh_from_db()
    return edit_answer(request, journey, retry, status=409, conflict=conflict)


@login_required
@require_http_methods(["GET", "POST"])
def journey_lanes(request: HttpRequest, pk) -> HttpResponse:
    """The lane settings: which rows the map shows under its stages, in which order, and the
    journey's custom text lanes."""
    journey = journey_to_manage(request, pk)
    if request.method == "GET":
        formset = LaneFormSet(initial=lane_rows(journey))
        return lanes_page(
            request, journey, formset, VersionForm(initial={"version": journey.version})
        )
    formset, version = LaneFormSet(request.POST), VersionForm(request.POST)
    if not (formset.is_valid() and version.is_valid()):
        return lanes_page(request, journey, formset, version, status=400)
    try:
        journey_services.journey_update(
            journey=journey, version=version.cleaned_data["version"], lanes=formset.lanes
        )
    except StaleVersion:
        # Someone changed the journey since: their lanes, to edit again.
        journey.refresh_from_db()
        formset = LaneFormSet(initial=lane_rows(journey))
        version = VersionForm(initial={"version": journey.version})
        return lanes_page(request, journey, formset, version, status=409, conflict=True)
    messages.success(request, _("The lanes were saved."))
    return redirect("maps:map", pk=journey.pk)


def lanes_page(request, journey, formset, version, status=200, conflict=False) -> HttpResponse:
    context = {"journey": journey, "formset": formset, "version": version, "conflict": conflict}
    return render(request, "maps/journey_lanes.html", context, status=status)


def copy_name(name: str) -> str:
    """The copy's name, the original's cut short to leave room for the words around it."""
    pattern = _("%(name)s (copy)")
    room = NAME_LENGTH - len(pattern % {"name": ""})
    return pattern % {"name": name[:room]}


@require_POST
@login_required
def journey_duplicate(request: HttpRequest, pk) -> HttpResponse:
    """A copy with the same stages, touchpoints and moments, no feedback; lands on its map."""
    journey = journey_to_manage(request, pk)
    copy = documents.journey_duplicate(
        journey=journey, name=copy_name(journey.name), tagged_by=request.user.get_username()
    )
    messages.success(
        request, _("This is a copy of %(name)s, without its feedback.") % {"name": journey.name}
    )
    return redirect("maps:map", pk=copy.pk)


@require_POST
@login_required
def journey_archive(request: HttpRequest, pk) -> HttpResponse:
    journey = journey_to_manage(request, pk)
    journey_services.journey_update(journey=journey, archived=True)
    messages.success(
        request,
        _("%(name)s is archived: find it under Archived journeys, below.") % {"name": journey.name},
    )
    return redirect("maps:dashboard")


@require_POST
@login_required
def journey_unarchive(request: HttpRequest, pk) -> HttpResponse:
    journey = journey_to_manage(request, pk)
    journey_services.journey_update(journey=journey, archived=False)
    messages.success(request, _("%(name)s is back among the journeys.") % {"name": journey.name})
    return redirect("maps:dashboard")


@login_required
@require_http_methods(["GET", "POST"])
def journey_delete(request: HttpRequest, pk) -> HttpResponse:
    """GET: what deleting the journey deletes with it, and a button to do it; POST: delete."""
    journey = journey_to_manage(request, pk)
    if request.method == "GET":
        context = {"journey": journey, "contents": selectors.journey_contents(journey)}
        return render(request, "maps/journey_delete.html", context)
    journey.delete()
    messages.success(request, _("The journey %(name)s was deleted.") % {"name": journey.name})
    return redirect("maps:dashboard")
