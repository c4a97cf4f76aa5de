"""The API answers that compose a whole map with its health: touchpoints with their moments of
truth, a journey's map, its customers at risk, its audit trail, the rescore of a journey, and the
journey as a document, a Mermaid diagram or CSV, imported back (maps/document_api.py has the rest
of that)."""

from contextlib import contextmanager

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.settings import api_settings

from alerts import services as alerts_services
from config.csv_export import CSVRenderer, PlainTextRenderer, csv_response, wants
from config.pagination import CountedWithPagePagination
from feedback.at_risk import at_risk_customers
from feedback.exports import AT_RISK_COLUMNS, at_risk_rows
from feedback.publishing import schedule_rescore
from feedback.scoring import mark_dirty
from feedback.selectors import touchpoint_health_detail
from journeys import api as journeys_api
from journeys.api import (
    HealthSerializer,
    JourneySerializer,
    LaneValuesField,
    StageSerializer,
    health_representation,
)
from journeys.lanes import clean_lane_values
from journeys.models import Band, Journey, ShareLink, Stage
from maps.conditional import journey_etag, not_modified, remembered, tagged
from maps.document_api import (
    JOURNEY_IMPORT,
    DocumentParser,
    JourneyDocumentSerializer,
    imported_document,
)
from maps.documents import document_from_journey, journey_import
from maps.exports import TOUCHPOINT_COLUMNS, touchpoint_rows
from maps.history import ACTIONS, TRACKED, JourneyHistory
from maps.mermaid import mermaid_from_journey
from maps.sharing import share_link_create
from moments.api import MomentSerializer
from moments.models import Moment, MomentType
from touchpoints import services
from touchpoints.models import Channel, Touchpoint
from workspaces.api import ScopedRelatedField, WorkspaceScopedViewSet
from workspaces.audit import actor_name
from workspaces.models import Role
from workspaces.permissions import require_role, target_workspace

JSON_OR_CSV = [*api_settings.DEFAULT_RENDERER_CLASSES, CSVRenderer]
IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    str,
    OpenApiParameter.HEADER,
    description="The ETag of an earlier answer: 304 with no body if nothing changed since.",
)
NOT_MODIFIED = OpenApiResponse(description="Not modified since the ETag in If-None-Match.")
FORMAT = OpenApiParameter(
    "format", str, enum=["json", "csv"], description="`csv` for CSV, as `Accept: text/csv` asks."
)
CSV_RESPONSE = OpenApiResponse(
    OpenApiTypes.STR, description="With `?format=csv` or `Accept: text/csv`: CSV, UTF-8."
)

DUPLICATE_KEY = gettext_lazy("A touchpoint with this key already exists in the workspace.")
# Fields represented as stored, in the API's order (lists build them from values()).
PLAIN_FIELDS = [
    "key",
    "name",
    "description",
    "channel",
    "owner",
    "position",
    "expected_emotion",
    "pain_points",
    "opportunities",
    "lane_values",
    "version",
]


class TouchpointSerializer(serializers.ModelSerializer):
    stage = ScopedRelatedField(
        model=Stage, workspace_lookup="journey__workspace_id", select_related=["journey"]
    )
    key = serializers.SlugField(
        max_length=100, required=False, help_text="Made from the name when omitted."
    )
    position = serializers.IntegerField(
        required=False, min_value=0, help_text="0 is first; the end of the stage when omitted."
    )
    version = serializers.IntegerField(required=False, min_value=1)
    lane_values = LaneValuesField(required=False)
    moments = MomentSerializer(many=True, read_only=True)
    health = HealthSerializer(read_only=True)

    class Meta:
        model = Touchpoint
        fields = ["id", "journey", "stage", *PLAIN_FIELDS, "moments", "health"]
        read_only_fields = ["journey"]

    def validate(self, attrs: dict) -> dict:
        if self.instance is None:
            attrs.pop("version", None)  # a new touchpoint starts at 1; `version` guards PATCH only
        stage = attrs.get("stage")
        if self.instance and stage and stage.journey_id != self.instance.journey_id:
            raise serializers.ValidationError(
                {"stage": [_("The stage must belong to the touchpoint's journey.")]}
            )
        if attrs.get("key"):
            workspace_id = (
                self.instance.workspace_id if self.instance else stage.journey.workspace_id
            )
            taken = Touchpoint.objects.filter(workspace_id=workspace_id, key=attrs["key"])
            if self.instance is not None:
                taken = taken.exclude(pk=self.instance.pk)
            if taken.exists():
                raise serializers.ValidationError({"key": [DUPLICATE_KEY]})
        if "lane_values" in attrs:
            journey = self.instance.journey if self.instance else stage.journey
            try:
                attrs["lane_values"] = clean_lane_values(attrs["lane_values"], journey.lanes)
            except DjangoValidationError as exc:
                raise serializers.ValidationError({"lane_values": exc.messages}) from exc
        return attrs


TOUCHPOINT_VALUES = [
    "id",
    "journey_id",
    "stage_id",
    *PLAIN_FIELDS,
    "health_score",
    "health_band",
    "health_n",
]
MOMENT_VALUES = ["id", "touchpoint_id", "type", "impact", "rationale", "tagged_by", "created_at"]


def touchpoint_representations(rows: list[dict]) -> list[dict]:
    """TouchpointSerializer's output for rows of `.values(*TOUCHPOINT_VALUES)`, with their
    moments from one more query. Lists and maps read many touchpoints, and building them from
    values instead of model instances through serializers is several times faster."""
    moments: dict = {row["id"]: [] for row in rows}
    for moment in (
        Moment.objects.filter(touchpoint_id__in=moments).order_by("type").values(*MOMENT_VALUES)
    ):
        moment["touchpoint"] = moment.pop("touchpoint_id")
        moments[moment["touchpoint"]].append(moment)
    return [
        {
            "id": row["id"],
            "journey": row["journey_id"],
            "stage": row["stage_id"],
            **{field: row[field] for field in PLAIN_FIELDS},
            "moments": moments[row["id"]],
            "health": health_representation(row),
        }
        for row in rows
    ]


class ComponentSerializer(serializers.Serializer):
    value = serializers.FloatField()
    n = serializers.IntegerField()
    counts = serializers.BooleanField(help_text="Whether n reached the workspace's min_responses.")


class HistoryPointSerializer(serializers.Serializer):
    date = serializers.DateField()
    score = serializers.FloatField(allow_null=True)
    band = serializers.CharField()


class TouchpointHealthSerializer(serializers.Serializer):
    score = serializers.FloatField(allow_null=True)
    band = serializers.CharField()
    n = serializers.IntegerField()
    window_days = serializers.IntegerField()
    computed_at = serializers.DateTimeField(allow_null=True)
    components = serializers.DictField(child=ComponentSerializer())
    history = HistoryPointSerializer(many=True)


@contextmanager
def unique_key_errors():
    """Two writers racing for one key: the loser gets the same 400 as the validator gives."""
    try:
        yield
    except IntegrityError as exc:
        if "touchpoint_key_per_workspace" not in str(exc):
            raise
        raise serializers.ValidationError({"key": [DUPLICATE_KEY]}) from exc


class TouchpointFilter(django_filters.FilterSet):
    journey = django_filters.UUIDFilter(field_name="journey_id")
    stage = django_filters.UUIDFilter(field_name="stage_id")
    channel = django_filters.ChoiceFilter(choices=Channel.choices)
    moment_type = django_filters.ChoiceFilter(
        field_name="moments__type", choices=MomentType.choices, distinct=True
    )
    band = django_filters.ChoiceFilter(field_name="health_band", choices=Band.choices)

    class Meta:
        model = Touchpoint
        fields = ["journey", "stage", "channel", "moment_type", "band"]


class TouchpointViewSet(WorkspaceScopedViewSet, viewsets.ModelViewSet):
    serializer_class = TouchpointSerializer
    pagination_class = CountedWithPagePagination
    filterset_class = TouchpointFilter
    write_role = Role.MANAGER

    def get_queryset(self):
        if self.action == "health":
            return Touchpoint.objects.filter(workspace_id__in=self.workspace_ids).select_related(
                "workspace"
            )
        touchpoints = Touchpoint.objects.filter(workspace_id__in=self.workspace_ids)
        if self.action != "list":
            touchpoints = touchpoints.prefetch_related("moments")
        return touchpoints.order_by("journey_id", "stage__position", "position")

    def get_renderers(self):
        # None: a method the view does not take, which must answer 405 even with ?format=csv
        # (negotiation comes first, and a format no renderer has is a 404).
        if self.action in ("list", None):
            return [renderer() for renderer in JSON_OR_CSV]
        return super().get_renderers()

    @extend_schema(
        parameters=[FORMAT, IF_NONE_MATCH],
        responses={
            (200, "application/json"): TouchpointSerializer(many=True),
            (200, "text/csv"): CSV_RESPONSE,
            304: NOT_MODIFIED,
        },
    )
    def list(self, request, *args, **kwargs):
        # A list of one journey has an ETag from its content version: 304s and repeated answers.
        journey = request.query_params.get("journey")
        etag = (
            journey_etag(request, journey_id=journey, workspace_ids=self.workspace_ids)
            if journey
            else None
        )
        if response := not_modified(request, etag):
            return response
        if wants(request, CSVRenderer):
            touchpoints = self.filter_queryset(self.get_queryset())
            response = csv_response(
                TOUCHPOINT_COLUMNS, touchpoint_rows(touchpoints), filename="touchpoints.csv"
            )
            return tagged(response, etag)

        def page() -> dict:
            touchpoints = self.filter_queryset(self.get_queryset())
            rows = self.paginate_queryset(touchpoints.values(*TOUCHPOINT_VALUES))
            return self.get_paginated_response(touchpoint_representations(rows)).data

        return remembered(etag, page)

    def perform_create(self, serializer):
        stage = serializer.validated_data.pop("stage")
        require_role(self.request, stage.journey.workspace_id, self.write_role)
        with unique_key_errors():
            serializer.instance = services.touchpoint_create(
                stage=stage, **serializer.validated_data
            )

    def perform_update(self, serializer):
        with unique_key_errors():
            serializer.instance = services.touchpoint_update(
                touchpoint=serializer.instance, **serializer.validated_data
            )

    def perform_destroy(self, instance):
        services.touchpoint_delete(touchpoint=instance)

    @extend_schema(responses=TouchpointHealthSerializer)
    @action(detail=True)
    def health(self, request, pk=None):
        """Score, band and components with their n, and the daily history in the window."""
        touchpoint = self.get_object()
        return Response(TouchpointHealthSerializer(touchpoint_health_detail(touchpoint)).data)


class TouchpointRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    key = serializers.CharField()
    name = serializers.CharField()


class AtRiskCustomerSerializer(serializers.Serializer):
    customer_ref = serializers.CharField()
    negative_count = serializers.IntegerField()
    last_at = serializers.DateTimeField()
    touchpoints = TouchpointRefSerializer(many=True)


class HotspotSerializer(TouchpointRefSerializer):
    negative_count = serializers.IntegerField()


class AtRiskSerializer(serializers.Serializer):
    threshold = serializers.IntegerField()
    window_days = serializers.IntegerField()
    computed_at = serializers.DateTimeField(
        help_text="When the worker last found these customers (it does after every rescore)."
    )
    customer_count = serializers.IntegerField(
        help_text="All customers at risk; `customers` lists the first `limit`."
    )
    customers = AtRiskCustomerSerializer(many=True)
    hotspots = HotspotSerializer(many=True)


class AuditObjectSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=list(TRACKED))
    id = serializers.UUIDField()
    name = serializers.CharField(
        help_text="As it was then; a moment's is its type and its touchpoint's name, e.g. "
        "'FMOT at Checkout'."
    )


class AuditEventSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    actor = serializers.CharField(
        allow_null=True,
        help_text="The user's username, or token:NAME for an API token; null for a change made "
        "outside a request (a command, a worker).",
    )
    action = serializers.ChoiceField(choices=ACTIONS)
    object = AuditObjectSerializer()
    changes = serializers.DictField(
        child=serializers.ListField(
            child=serializers.JSONField(allow_null=True), min_length=2, max_length=2
        ),
        help_text="{field: [from, to]}: the fields a change changed; for a creation the fields "
        "it set (from null), for a deletion those it removed (to null). Stages and "
        "touchpoints are named by id.",
    )


class FollowSerializer(serializers.Serializer):
    following = serializers.BooleanField()


class ShareLinkSerializer(serializers.ModelSerializer):
    expires_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="When the link stops opening the map; never when omitted or null. In the future.",
    )
    created_by = serializers.CharField(
        read_only=True, help_text="The username, or token:NAME for an API token."
    )

    class Meta:
        model = ShareLink
        fields = ["id", "journey", "expires_at", "created_at", "created_by"]
        read_only_fields = ["journey"]

    def validate_expires_at(self, expires_at):
        if expires_at is not None and expires_at <= timezone.now():
            raise serializers.ValidationError(_("This must be in the future."))
        return expires_at


class CreatedShareLinkSerializer(ShareLinkSerializer):
    url = serializers.URLField(
        help_text="Opens the live map read-only, without signing in. Shown this once: only"
        " its hash is kept."
    )

    class Meta(ShareLinkSerializer.Meta):
        fields = ["id", "url", "expires_at", "created_at", "created_by"]


class MapStageSerializer(StageSerializer):
    touchpoints = TouchpointSerializer(many=True, read_only=True)

    class Meta(StageSerializer.Meta):
        fields = [*StageSerializer.Meta.fields, "touchpoints"]


class MapSerializer(JourneySerializer):
    stages = MapStageSerializer(many=True, read_only=True)


def map_stage_representations(journey: Journey) -> list[dict]:
    """MapStageSerializer's output, from three queries of values (see
    touchpoint_representations)."""
    touchpoints = touchpoint_representations(
        list(journey.touchpoints.order_by("position").values(*TOUCHPOINT_VALUES))
    )
    stages = {}
    for stage in journey.stages.order_by("position").values(
        "id", "journey_id", "name", "kind", "position", "health_score", "health_band", "health_n"
    ):
        stages[stage["id"]] = {
            "id": stage["id"],
            "journey": stage["journey_id"],
            "name": stage["name"],
            "kind": stage["kind"],
            "position": stage["position"],
            "health": health_representation(stage),
            "touchpoints": [],
        }
    for touchpoint in touchpoints:
        stages[touchpoint["stage"]]["touchpoints"].append(touchpoint)
    return list(stages.values())


def download_name(journey: Journey, what: str) -> str:
    return f"{slugify(journey.name) or 'journey'}-{what}"


class JourneyViewSet(journeys_api.JourneyViewSet):
    """Journeys, with their whole map, their customers at risk, their audit trail and a rescore
    on demand."""

    action_write_roles = {"rescore": Role.ANALYST, "follow": Role.VIEWER}

    @extend_schema(parameters=[IF_NONE_MATCH], responses={200: MapSerializer, 304: NOT_MODIFIED})
    @action(detail=True)
    def map(self, request, pk=None):
        """The whole map in one response: stages → touchpoints → moments, with health. It has
        an ETag and answers If-None-Match with 304 when nothing in the map changed."""
        etag = journey_etag(request, journey_id=pk, workspace_ids=self.workspace_ids)
        if response := not_modified(request, etag):
            return response

        def whole_map() -> dict:
            journey = self.get_object()
            data = JourneySerializer(journey, context={"request": request}).data
            data["stages"] = map_stage_representations(journey)
            return data

        return remembered(etag, whole_map)

    @extend_schema(responses=AuditEventSerializer(many=True))
    @action(detail=True, filter_backends=[])  # `?archived=` filters journeys, not their history
    def history(self, request, pk=None):
        """The audit trail of the journey and of its stages, touchpoints and moments, deleted
        ones included, newest first: when, who, what, and from what to what."""
        journey = self.get_object()
        page = self.paginate_queryset(JourneyHistory(journey.pk))
        return self.get_paginated_response(AuditEventSerializer(page, many=True).data)

    @extend_schema(request=None, responses={202: None})
    @action(detail=True, methods=["post"])
    def rescore(self, request, pk=None):
        """Scores every touchpoint of the journey again, in a worker."""
        journey = self.get_object()
        # Marked dirty first: a lost publish only delays the rescore until the sweep.
        mark_dirty(journey.touchpoints.values_list("id", flat=True))
        schedule_rescore()
        return Response({"detail": _("Rescore queued.")}, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "limit", int, description="Most customers listed (100; in CSV, every one)."
            ),
            FORMAT,
        ],
        responses={(200, "application/json"): AtRiskSerializer, (200, "text/csv"): CSV_RESPONSE},
    )
    @action(detail=True, url_path="at-risk", renderer_classes=JSON_OR_CSV)
    def at_risk(self, request, pk=None):
        """Customers about to leave: at least `threshold` bad experiences in the window. In
        CSV: customer_ref, negative_count, last_at, touchpoints, touchpoint_keys."""
        csv = wants(request, CSVRenderer)
        limit = request.query_params.get("limit", "" if csv else "100")
        if limit and (not limit.isdigit() or not 1 <= int(limit) <= 10_000):
            raise serializers.ValidationError({"limit": [_("A whole number from 1 to 10000.")]})
        journey = self.get_object()
        if csv:
            rows = at_risk_rows(journey, limit=int(limit) if limit else None)
            return csv_response(
                AT_RISK_COLUMNS, rows, filename=download_name(journey, "at-risk.csv")
            )
        return Response(AtRiskSerializer(at_risk_customers(journey, limit=int(limit))).data)

    @extend_schema(
        parameters=[FORMAT],
        responses={
            (200, "application/json"): JourneyDocumentSerializer,
            (200, "text/csv"): CSV_RESPONSE,
        },
    )
    @action(detail=True, renderer_classes=JSON_OR_CSV)
    def export(self, request, pk=None):
        """The journey as a portable document (no ids, no feedback) that journeys/import/
        takes; in CSV, its touchpoints with their health and moments."""
        journey = self.get_object()
        if wants(request, CSVRenderer):
            touchpoints = journey.touchpoints.order_by("stage__position", "position")
            return csv_response(
                TOUCHPOINT_COLUMNS,
                touchpoint_rows(touchpoints),
                filename=download_name(journey, "touchpoints.csv"),
            )
        return Response(document_from_journey(journey))

    @extend_schema(
        responses={
            (200, "text/plain"): OpenApiResponse(
                OpenApiTypes.STR, description="A Mermaid `journey` diagram."
            )
        }
    )
    @action(
        detail=True, renderer_classes=[PlainTextRenderer, *api_settings.DEFAULT_RENDERER_CLASSES]
    )
    def mermaid(self, request, pk=None):
        """The journey as a Mermaid `journey` diagram, which GitHub and Mermaid render; its
        `%% truthmap:` comments carry what the diagram cannot say, for journeys/import/."""
        text = mermaid_from_journey(self.get_object())
        return HttpResponse(text, content_type="text/plain; charset=utf-8")

    @extend_schema(
        request=JOURNEY_IMPORT,
        responses={201: JourneySerializer},
        parameters=[
            OpenApiParameter(
                "workspace", str, description="Slug; needed only when you manage several."
            )
        ],
    )
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[DocumentParser])
    def import_journey(self, request):
        """A new journey from a document (journeys/{id}/export/, a template's) or a Mermaid
        journey (`{"mermaid": "journey\\n  title …"}`); a key the workspace uses gets a
        suffix. 400 names where each problem is: `stages[2].touchpoints[0].channel`, or
        `line 4` of a Mermaid text."""
        workspace = target_workspace(
            request, self.write_role, request.query_params.get("workspace")
        )
        document = imported_document(request.data)
        journey = journey_import(workspace=workspace, document=document, tagged_by=self.tagged_by)
        data = JourneySerializer(journey, context={"request": request}).data
        location = reverse("journey-detail", args=[journey.pk])
        return Response(data, status=status.HTTP_201_CREATED, headers={"Location": location})

    @extend_schema(request=None, responses={200: FollowSerializer, 204: None})
    @action(detail=True, methods=["post", "delete"])
    def follow(self, request, pk=None):
        """POST: email me the journey's critical moments of truth and new customers at risk, at
        most once an hour; DELETE: stop. For signed-in members: a token has no mailbox."""
        journey = self.get_object()
        if request.user.pk is None:
            raise PermissionDenied(_("Only a signed-in member can follow a journey, not a token."))
        if request.method == "DELETE":
            alerts_services.unfollow(user=request.user, journey=journey)
            return Response(status=status.HTTP_204_NO_CONTENT)
        alerts_services.follow(user=request.user, journey=journey, language=request.LANGUAGE_CODE)
        return Response({"following": True})

    def managed_journey(self) -> Journey:
        """The journey of the URL, for its managers only: its share links are theirs alone."""
        journey = self.get_object()
        require_role(self.request, journey.workspace_id, Role.MANAGER)
        return journey

    @extend_schema(methods=["GET"], responses=ShareLinkSerializer(many=True))
    @extend_schema(
        methods=["POST"],
        request=ShareLinkSerializer,
        responses={201: CreatedShareLinkSerializer},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        url_path="share-links",
        serializer_class=ShareLinkSerializer,
    )
    def share_links(self, request, pk=None):
        """Read-only links to the journey's live map, for managers. GET: the live ones (neither
        revoked nor expired), newest first, without their URLs; POST: a new one, whose `url`
        this answer shows once."""
        journey = self.managed_journey()
        if request.method == "GET":
            page = self.paginate_queryset(journey.share_links.live())
            return self.get_paginated_response(ShareLinkSerializer(page, many=True).data)
        serializer = ShareLinkSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        link, url = share_link_create(
            journey=journey,
            expires_at=serializer.validated_data.get("expires_at"),
            created_by=actor_name(request.user),
        )
        return Response(
            {**ShareLinkSerializer(link).data, "url": url}, status=status.HTTP_201_CREATED
        )


class ShareLinkViewSet(WorkspaceScopedViewSet, mixins.RetrieveModelMixin, mixins.DestroyModelMixin):
    """A live share link, for the managers of its journey's workspace; DELETE revokes it: from
    then on its URL answers 404."""

    serializer_class = ShareLinkSerializer
    write_role = Role.MANAGER

    def get_queryset(self):
        return (
            ShareLink.objects.live()
            .filter(journey__workspace_id__in=self.workspace_ids)
            .select_related("journey")
        )

    def get_object(self):
        link = super().get_object()
        require_role(self.request, link.workspace_id, Role.MANAGER)  # reads too
        return link

    def perform_destroy(self, instance):
        instance.revoke(by=actor_name(self.request.user))
