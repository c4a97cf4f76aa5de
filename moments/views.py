from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from feedback.scoring import rescore_journeys
from moments.forms import MomentTagForm
from moments.models import Moment
from touchpoints.views import panel_response, touchpoint_for
from workspaces.access import check_role, scoped
from workspaces.models import Role


def after_change(request: HttpRequest, touchpoint) -> HttpResponse:
    # Moment impact weighs the touchpoint in its stage and journey health.
    rescore_journeys([touchpoint.journey_id])
    if request.htmx:
        return panel_response(request, touchpoint)
    return redirect("touchpoints:detail", pk=touchpoint.pk)


@require_POST
@login_required
def tag(request: HttpRequest, touchpoint_pk) -> HttpResponse:
    touchpoint = touchpoint_for(request, touchpoint_pk, Role.ANALYST)
    form = MomentTagForm(request.POST, touchpoint=touchpoint)
    if not form.is_valid():
        return panel_response(request, touchpoint, status=400, tag_form=form)
    form.instance.tagged_by = request.user.get_username()
    form.save()
    return after_change(request, touchpoint)


@require_POST
@login_required
def untag(request: HttpRequest, pk) -> HttpResponse:
    queryset = scoped(request, Moment.objects, "touchpoint__workspace_id")
    moment = get_object_or_404(queryset.select_related("touchpoint"), pk=pk)
    check_role(request, moment.touchpoint.workspace_id, Role.ANALYST)
    moment.delete()
    return after_change(request, touchpoint_for(request, moment.touchpoint_id))
