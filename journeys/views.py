from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from journeys.models import Journey
from workspaces.models import Membership


@login_required
def home(request: HttpRequest) -> HttpResponse:
    workspace_ids = Membership.objects.filter(user=request.user).values("workspace_id")
    journeys = Journey.objects.filter(workspace_id__in=workspace_ids).select_related("workspace")
    return render(request, "journeys/home.html", {"journeys": journeys})
