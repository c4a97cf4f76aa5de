"""The events API (what happened, read by every role) and the webhooks API (managers only)."""

import django_filters
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from alerts import services
from alerts.addresses import url_problem
from alerts.models import SUBSCRIBABLE, Delivery, DeliveryAttempt, Event, Webhook
from feedback.api import NewestFirstCursor
from journeys.api import WorkspaceSlugField
from workspaces.api import WorkspaceScopedViewSet
from workspaces.models import Role, Workspace, role_allows
from workspaces.permissions import caller_roles, target_workspace

EVENT_CHOICES = [(choice.value, choice.label) for choice in SUBSCRIBABLE]


class EventSerializer(serializers.ModelSerializer):
    workspace = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    type = serializers.ChoiceField(choices=EVENT_CHOICES)
    data = serializers.JSONField(
        help_text="By type: touchpoint.band_changed and moment.critical: touchpoint {id, key,"
        " name}, journey {id, name}, from, to, score, moments [type]; journey.band_changed:"
        " journey, from, to, score; customer.at_risk: journey, customer_ref, negative_count,"
        " touchpoints [{id, key, name}]."
    )

    class Meta:
        model = Event
        fields = ["id", "type", "created_at", "workspace", "journey", "data"]


class EventFilter(django_filters.FilterSet):
    type = django_filters.ChoiceFilter(choices=EVENT_CHOICES)
    journey = django_filters.UUIDFilter(field_name="journey_id")
    since = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")

    class Meta:
        model = Event
        fields = ["type", "journey", "since"]


class EventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, WorkspaceScopedViewSet):
    """What happened in the caller's workspaces, newest first: band changes, critical moments
    of truth, customers at risk."""

    serializer_class = EventSerializer
    filterset_class = EventFilter
    pagination_class = NewestFirstCursor
    write_role = Role.MANAGER

    def get_queryset(self):
        return Event.objects.filter(
            workspace_id__in=self.workspace_ids, type__in=SUBSCRIBABLE
        ).select_related("workspace")


class ManagersOnly(permissions.BasePermission):
    """Webhooks are for managers: their URLs and deliveries are no one else's business. An
    object outside the caller's workspaces is a 404 all the same (the queryset hides it)."""

    message = gettext_lazy("This needs the manager role in the workspace.")

    def has_permission(self, request, view) -> bool:
        if not request.user.is_authenticated:
            return False
        if view.kwargs:
            return True
        return any(role_allows(role, Role.MANAGER) for role in caller_roles(request).values())

    def has_object_permission(self, request, view, obj) -> bool:
        return role_allows(caller_roles(request).get(obj.workspace_id), Role.MANAGER)


class WebhookSerializer(serializers.ModelSerializer):
    workspace = WorkspaceSlugField(
        slug_field="slug",
        queryset=Workspace.objects.all(),
        required=False,
        help_text="Slug of the workspace; optional when you manage only one.",
    )
    url = serializers.URLField(
        max_length=2000,
        help_text="http or https, to a public address (private, loopback and link-local"
        " addresses are refused unless the server allows them).",
    )
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENT_CHOICES),
        allow_empty=False,
        required=False,
        help_text="The event types it gets; all of them when omitted.",
    )
    secret = serializers.CharField(
        write_only=True,
        required=False,
        min_length=16,
        max_length=200,
        help_text="Signs every delivery (X-Truthmap-Signature). Generated when omitted, and"
        " then answered once, in the response to the POST.",
    )

    class Meta:
        model = Webhook
        fields = ["id", "workspace", "url", "events", "active", "secret", "created_at"]

    def validate_url(self, url: str) -> str:
        problem = url_problem(url)
        if problem:
            raise serializers.ValidationError(problem)
        return url

    def validate(self, attrs: dict) -> dict:
        if self.instance is not None and "workspace" in attrs:
            raise serializers.ValidationError({"workspace": _("This cannot be changed.")})
        return attrs


class CreatedWebhookSerializer(WebhookSerializer):
    secret = serializers.CharField(help_text="Shown this once: keep it to verify signatures.")


class AttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeliveryAttempt
        fields = ["attempted_at", "status_code", "error", "duration_ms"]


class DeliveryEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = Event
        fields = ["id", "type", "created_at"]


class DeliverySerializer(serializers.ModelSerializer):
    event = DeliveryEventSerializer()
    attempts = AttemptSerializer(source="log", many=True)

    class Meta:
        model = Delivery
        fields = [
            "id",
            "event",
            "status",
            "created_at",
            "delivered_at",
            "next_attempt_at",
            "attempts",
        ]


class WebhookViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    WorkspaceScopedViewSet,
):
    """Where events are POSTed, signed with the webhook's secret (docs/alerts.md)."""

    serializer_class = WebhookSerializer
    permission_classes = [ManagersOnly]
    write_role = Role.MANAGER

    def get_queryset(self):
        webhooks = Webhook.objects.filter(workspace_id__in=self.workspace_ids)
        if self.action == "list":
            managed = [
                pk
                for pk, role in caller_roles(self.request).items()
                if role_allows(role, Role.MANAGER)
            ]
            webhooks = webhooks.filter(workspace_id__in=managed)
        return webhooks.select_related("workspace")

    @extend_schema(responses={201: CreatedWebhookSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        workspace = data.pop("workspace", None)
        workspace = target_workspace(request, Role.MANAGER, workspace and workspace.slug)
        data.setdefault("events", [choice.value for choice in SUBSCRIBABLE])
        webhook, secret = services.webhook_create(workspace=workspace, **data)
        return Response(
            {**WebhookSerializer(webhook).data, "secret": secret}, status=status.HTTP_201_CREATED
        )

    def perform_update(self, serializer):
        serializer.instance = services.webhook_update(
            webhook=serializer.instance, **serializer.validated_data
        )

    @extend_schema(responses=DeliverySerializer(many=True))
    @action(detail=True)
    def deliveries(self, request, pk=None):
        """The webhook's deliveries, newest first, each with every attempt: when, the status
        code or the error, and how long it took."""
        webhook = self.get_object()
        deliveries = (
            Delivery.objects.filter(webhook=webhook)
            .select_related("event")
            .prefetch_related("log")
            .order_by("-id")
        )
        page = self.paginate_queryset(deliveries)
        return self.get_paginated_response(DeliverySerializer(page, many=True).data)

    @extend_schema(request=None, responses={202: DeliverySerializer})
    @action(detail=True, methods=["post"])
    def test(self, request, pk=None):
        """Sends a `ping` event to this webhook alone; its attempts show in deliveries/."""
        delivery = services.webhook_ping(webhook=self.get_object())
        delivery = Delivery.objects.select_related("event").get(pk=delivery.pk)
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)
