"""The pages of alerting: a journey's events, following a journey, and the webhooks of the
workspace (managers)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alerts import selectors, services
from alerts.forms import EVENT_CHOICES, WebhookForm
from alerts.models import Delivery, Webhook
from journeys.models import Journey
from workspaces.access import check_role, current_workspace, scoped
from workspaces.models import Role, Workspace

EVENTS_PER_PAGE = 50
DELIVERIES_SHOWN = 50


def journey_for(request: HttpRequest, pk) -> Journey:
    return get_object_or_404(scoped(request, Journey.objects), pk=pk)


@login_required
@require_GET
def journey_events(request: HttpRequest, pk) -> HttpResponse:
    journey = journey_for(request, pk)
    chosen = request.GET.get("type", "")
    if chosen not in dict(EVENT_CHOICES):
        chosen = ""
    page = Paginator(selectors.journey_events(journey, type=chosen), EVENTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "journey": journey,
        "page": page,
        "events": selectors.event_rows(page.object_list),
        "types": EVENT_CHOICES,
        "chosen": chosen,
        "following": selectors.is_following(user=request.user, journey=journey),
    }
    return render(request, "alerts/events.html", context)


def follow_answer(request: HttpRequest, journey: Journey, following: bool) -> HttpResponse:
    if request.htmx:
        return render(request, "alerts/follow.html", {"journey": journey, "following": following})
    return redirect("maps:map", pk=journey.pk)


@require_POST
@login_required
def follow(request: HttpRequest, pk) -> HttpResponse:
    journey = journey_for(request, pk)
    services.follow(user=request.user, journey=journey, language=request.LANGUAGE_CODE)
    return follow_answer(request, journey, True)


@require_POST
@login_required
def unfollow(request: HttpRequest, pk) -> HttpResponse:
    journey = journey_for(request, pk)
    services.unfollow(user=request.user, journey=journey)
    return follow_answer(request, journey, False)


def managed_workspace(request: HttpRequest) -> Workspace:
    workspace = current_workspace(request)
    if workspace is None:
        raise Http404
    check_role(request, workspace.pk, Role.MANAGER)
    return workspace


def webhooks_page(request: HttpRequest, workspace: Workspace, status=200, **context):
    context = {
        "webhooks": Webhook.objects.filter(workspace=workspace),
        "form": WebhookForm(),
        **context,
    }
    return render(request, "alerts/webhooks.html", context, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def webhooks(request: HttpRequest) -> HttpResponse:
    """GET: the workspace's webhooks; POST: a new one, whose secret this answer shows once."""
    workspace = managed_workspace(request)
    if request.method == "GET":
        return webhooks_page(request, workspace)
    form = WebhookForm(request.POST)
    if not form.is_valid():
        return webhooks_page(request, workspace, 400, form=form, form_open=True)
    webhook, secret = services.webhook_create(workspace=workspace, **form.cleaned_data)
    return webhooks_page(request, workspace, new_webhook=webhook, secret=secret)


def webhook_for(request: HttpRequest, pk) -> Webhook:
    return get_object_or_404(Webhook, pk=pk, workspace=managed_workspace(request))


def webhook_page(request: HttpRequest, webhook: Webhook, status=200, form=None) -> HttpResponse:
    deliveries = (
        Delivery.objects.filter(webhook=webhook)
        .select_related("event")
        .prefetch_related("log")
        .order_by("-id")[:DELIVERIES_SHOWN]
    )
    initial = {"url": webhook.url, "events": webhook.events, "active": webhook.active}
    context = {
        "webhook": webhook,
        "form": form or WebhookForm(initial=initial),
        "deliveries": deliveries,
    }
    return render(request, "alerts/webhook.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def webhook_detail(request: HttpRequest, pk) -> HttpResponse:
    """GET: the webhook and its latest deliveries; POST: save its URL, events and state."""
    webhook = webhook_for(request, pk)
    if request.method == "GET":
        return webhook_page(request, webhook)
    form = WebhookForm(request.POST)
    if not form.is_valid():
        return webhook_page(request, webhook, 400, form)
    services.webhook_update(webhook=webhook, **form.cleaned_data)
    messages.success(request, _("The webhook was saved."))
    return redirect("alerts:webhook", pk=webhook.pk)


@require_POST
@login_required
def webhook_ping(request: HttpRequest, pk) -> HttpResponse:
    webhook = webhook_for(request, pk)
    services.webhook_ping(webhook=webhook)
    messages.success(request, _("A ping is on its way; its attempts show below."))
    return redirect("alerts:webhook", pk=webhook.pk)


@require_POST
@login_required
def webhook_delete(request: HttpRequest, pk) -> HttpResponse:
    webhook = webhook_for(request, pk)
    webhook.delete()
    messages.success(request, _("The webhook %(url)s was deleted.") % {"url": webhook.url})
    return redirect("alerts:webhooks")
