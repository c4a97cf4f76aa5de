import json
from datetime import UTC, datetime
from zoneinfo import available_timezones

import django_filters
import orjson
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db.models import Q
from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework import mixins, pagination, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.utils.urls import replace_query_param

from config.csv_export import CSVRenderer, csv_response, wants
from feedback import imports
from feedback.exports import FEEDBACK_COLUMNS, feedback_rows
from feedback.ingestion import (
    FIELDS,
    MAX_BODY_BYTES,
    MAX_ITEMS,
    SCALES,
    SENTIMENT_RANGE,
    TEXT_LIMITS,
    feedback_ingest,
)
from feedback.models import Feedback, ImportFormat, ImportJob, Outcome
from feedback.rejected import rejected_rows_response
from feedback.selectors import arrival_fence
from touchpoints.models import Channel
from workspaces.api import WorkspaceScopedViewSet
from workspaces.models import Role
from workspaces.permissions import target_workspace


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request is too large."
    default_code = "too_large"


class FeedbackSerializer(serializers.ModelSerializer):
    class Meta:
        model = Feedback
        fields = [
            "id",
            "external_id",
            "journey",
            "touchpoint",
            "occurred_at",
            "received_at",
            "customer_ref",
            "channel",
            "nps",
            "csat",
            "ces",
            "sentiment",
            "outcome",
            "comment",
            "source",
            "metadata",
            "is_negative",
        ]


class FeedbackFilter(django_filters.FilterSet):
    journey = django_filters.UUIDFilter(field_name="journey_id")
    touchpoint = django_filters.UUIDFilter(field_name="touchpoint_id")
    since = django_filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="gte")
    until = django_filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="lt")
    customer_ref = django_filters.CharFilter()
    negative = django_filters.BooleanFilter(field_name="is_negative")

    class Meta:
        model = Feedback
        fields = ["journey", "touchpoint", "since", "until", "customer_ref", "negative"]


class NewestFirstCursor(pagination.CursorPagination):
    ordering = "-id"
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000

    def get_paginated_response(self, data):
        # The same shape as every other list; counting millions of rows is not worth it here.
        return Response(
            {
                "count": None,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )


class ArrivalOrder(pagination.BasePagination):
    """`?received_after=<received_at>[&after_id=<id>]`: the rows that arrived since, oldest
    first, for clients that sync. Rows whose transaction is still open are held back (see
    feedback.selectors.arrival_fence), so a walk never skips a row that commits late."""

    page_size = 100
    max_page_size = 1000

    def paginate_queryset(self, queryset, request, view=None):
        after, after_id = arrival_cursor(request.query_params)
        size = requested_page_size(request.query_params, self.page_size, self.max_page_size)
        rows = list(
            queryset.filter(Q(received_at__gt=after) | Q(received_at=after, id__gt=after_id))
            .filter(received_at__lt=arrival_fence())
            .order_by("received_at", "id")[:size]
        )
        self.next = None
        if len(rows) == size:
            last = rows[-1]
            self.next = replace_query_param(
                replace_query_param(
                    request.build_absolute_uri(), "received_after", last.received_at.isoformat()
                ),
                "after_id",
                last.pk,
            )
        return rows

    def get_paginated_response(self, data):
        return Response({"count": None, "next": self.next, "previous": None, "results": data})


def arrival_cursor(params) -> tuple[datetime, int]:
    after = parse_datetime_or_none(params.get("received_after", ""))
    if after is None:
        raise serializers.ValidationError(
            {"received_after": ["An ISO 8601 date-time, e.g. 2026-12-01T10:00:00.123456Z."]}
        )
    after_id = params.get("after_id", "0")
    if not after_id.isdigit() or len(after_id) > 18:
        raise serializers.ValidationError({"after_id": ["A feedback id, a whole number."]})
    return after, int(after_id)


def parse_datetime_or_none(value: str) -> datetime | None:
    try:
        parsed = parse_datetime(value)
    except ValueError:
        return None
    if parsed is not None and parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def requested_page_size(params, default: int, most: int) -> int:
    value = params.get("page_size", "")
    return min(int(value), most) if value.isdigit() and 0 < int(value) < 10**6 else default


class FeedbackItemSerializer(serializers.Serializer):
    """One item of `POST feedback/`, for the schema only: feedback.ingestion validates items in
    bulk, from the same ranges and lengths."""

    external_id = serializers.CharField(
        required=False,
        max_length=TEXT_LIMITS["external_id"],
        help_text="Idempotency key, unique in the workspace: an item sent twice is stored once.",
    )
    touchpoint = serializers.UUIDField(
        required=False, help_text="The touchpoint's id; or give `touchpoint_key`."
    )
    touchpoint_key = serializers.SlugField(required=False, help_text="The touchpoint's key.")
    occurred_at = serializers.DateTimeField(
        help_text="ISO 8601 with a UTC offset; at most 5 minutes in the future."
    )
    customer_ref = serializers.CharField(
        required=False,
        max_length=TEXT_LIMITS["customer_ref"],
        help_text="Opaque customer id, needed for at-risk detection.",
    )
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    nps = serializers.IntegerField(
        required=False, min_value=SCALES["nps"][0], max_value=SCALES["nps"][1]
    )
    csat = serializers.IntegerField(
        required=False, min_value=SCALES["csat"][0], max_value=SCALES["csat"][1]
    )
    ces = serializers.IntegerField(
        required=False,
        min_value=SCALES["ces"][0],
        max_value=SCALES["ces"][1],
        help_text="CES 2.0: 7 is very easy.",
    )
    sentiment = serializers.FloatField(
        required=False,
        min_value=SENTIMENT_RANGE[0],
        max_value=SENTIMENT_RANGE[1],
        help_text="Computed from an English comment when absent.",
    )
    outcome = serializers.ChoiceField(choices=Outcome.choices, required=False)
    comment = serializers.CharField(required=False, max_length=TEXT_LIMITS["comment"])
    source = serializers.CharField(required=False, max_length=TEXT_LIMITS["source"])
    metadata = serializers.DictField(required=False, help_text="A JSON object of at most 8 KB.")


FEEDBACK_BATCH = PolymorphicProxySerializer(
    component_name="FeedbackBatch",
    serializers=[FeedbackItemSerializer, FeedbackItemSerializer(many=True)],
    resource_type_field_name=None,
    many=False,
)


class RejectedItemSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="The item's place in the array, from 0.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="{field: [messages]}; non_field_errors for the item as a whole.",
    )


class IngestResultSerializer(serializers.Serializer):
    accepted = serializers.IntegerField()
    duplicates = serializers.IntegerField(help_text="Items whose external_id was stored already.")
    rejected = RejectedItemSerializer(many=True)


def json_loads_beyond_orjson(body: bytes, error: orjson.JSONDecodeError):
    """JSON that orjson refuses but is valid (a number like 1e400): the standard library reads it,
    and the items holding such values are rejected one by one."""
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        raise ParseError(f"The body is not valid JSON: {error}") from None


def parse_feedback_body(request) -> list:
    length = request.META.get("CONTENT_LENGTH") or "0"
    if length.isdigit() and int(length) > MAX_BODY_BYTES:
        raise PayloadTooLarge("The body may be at most 10 MB.")
    try:
        body = request.body
    except RequestDataTooBig:
        raise PayloadTooLarge("The body may be at most 10 MB.") from None
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        data = json_loads_beyond_orjson(body, exc)
    if isinstance(data, dict):
        return [data]
    if not isinstance(data, list):
        raise ParseError("Send one feedback object or an array of them.")
    if not data:
        raise ParseError("The array is empty.")
    if len(data) > MAX_ITEMS:
        raise PayloadTooLarge(f"At most {MAX_ITEMS} items per request; this has {len(data)}.")
    return data


class FeedbackViewSet(mixins.ListModelMixin, WorkspaceScopedViewSet):
    """Feedback records. POST takes one object or an array of up to 10,000 and answers 202.

    When `comment` is given without `sentiment`, sentiment is computed within seconds by a worker
    with VADER for English comments; comments in other languages keep a null sentiment."""

    serializer_class = FeedbackSerializer
    filterset_class = FeedbackFilter
    write_role = Role.ANALYST

    def get_queryset(self):
        return Feedback.objects.filter(workspace_id__in=self.workspace_ids)

    @property
    def paginator(self):
        """Newest first; in arrival order for a client that syncs with `received_after`."""
        if not hasattr(self, "_paginator"):
            syncing = "received_after" in self.request.query_params
            self._paginator = ArrivalOrder() if syncing else NewestFirstCursor()
        return self._paginator

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "received_after",
                OpenApiTypes.DATETIME,
                description="Sync: the rows that arrived after this `received_at`, oldest "
                "first. Pass the last row's `received_at` (and its `id` as `after_id`), or "
                "follow `next`.",
            ),
            OpenApiParameter(
                "after_id", int, description="Sync: with `received_after`, the last row's id."
            ),
            OpenApiParameter(
                "format", str, enum=["json", "csv"], description="`csv`: every page, streamed."
            ),
        ],
        responses={
            (200, "application/json"): FeedbackSerializer(many=True),
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR,
                description="With `?format=csv` or `Accept: text/csv`: every row the filters "
                "select, newest first, streamed.",
            ),
        },
    )
    def list(self, request, *args, **kwargs):
        if wants(request, CSVRenderer):
            return self.list_csv(request)
        return super().list(request, *args, **kwargs)

    def get_renderers(self):
        if self.action in ("list", None):  # None: as in maps.api.TouchpointViewSet
            return [
                renderer() for renderer in (*api_settings.DEFAULT_RENDERER_CLASSES, CSVRenderer)
            ]
        return super().get_renderers()

    def list_csv(self, request):
        if "received_after" in request.query_params:
            raise serializers.ValidationError(
                {"received_after": ["CSV gives every row; filter it with since and until."]}
            )
        feedback = self.filter_queryset(self.get_queryset()).order_by("-id")
        return csv_response(FEEDBACK_COLUMNS, feedback_rows(feedback), filename="feedback.csv")

    @extend_schema(
        request=FEEDBACK_BATCH,
        responses={202: IngestResultSerializer},
        parameters=[
            OpenApiParameter(
                "workspace", str, description="Slug; needed only when you write to several."
            )
        ],
    )
    def create(self, request):
        items = parse_feedback_body(request)
        workspace = target_workspace(
            request, self.write_role, request.query_params.get("workspace")
        )
        result = feedback_ingest(workspace=workspace, items=items)
        return Response(result.as_dict(), status=status.HTTP_202_ACCEPTED)


class ImportJobSerializer(serializers.ModelSerializer):
    workspace = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "workspace",
            "filename",
            "format",
            "mapping",
            "defaults",
            "timezone",
            "size_bytes",
            "status",
            "error",
            "total",
            "processed",
            "accepted",
            "duplicates",
            "rejected",
            "created_by",
            "created_at",
            "started_at",
            "finished_at",
        ]


class FieldMapField(serializers.JSONField):
    """A JSON object keyed by feedback field names (sent as a JSON string in multipart)."""

    def to_internal_value(self, data):
        if isinstance(data, str):
            try:
                data = json.loads(data) if data.strip() else {}
            except ValueError:
                raise serializers.ValidationError("Must be a JSON object.") from None
        if not isinstance(data, dict):
            raise serializers.ValidationError("Must be a JSON object.")
        unknown = sorted(set(data) - FIELDS)
        if unknown:
            raise serializers.ValidationError(f"Unknown feedback fields: {', '.join(unknown)}.")
        return data


class ImportCreateSerializer(serializers.Serializer):
    file = serializers.FileField()
    format = serializers.ChoiceField(choices=ImportFormat.choices, required=False)
    mapping = FieldMapField(
        required=False, default=dict, help_text='{field: column}, e.g. {"nps": "Q_NPS"}'
    )
    defaults = FieldMapField(
        required=False,
        default=dict,
        help_text='Values for every row, e.g. {"touchpoint_key": "post-sale-survey"}',
    )
    timezone = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Zone for date-times without offset, e.g. Europe/Madrid.",
    )
    workspace = serializers.SlugField(required=False)

    def validate_file(self, upload):
        if upload.size > settings.IMPORT_MAX_BYTES:
            limit = settings.IMPORT_MAX_BYTES // (1024 * 1024)
            raise serializers.ValidationError(f"A file may be at most {limit} MB.")
        return upload

    def validate_mapping(self, mapping):
        if not all(isinstance(column, str) and column for column in mapping.values()):
            raise serializers.ValidationError("Each field maps to a column name.")
        return mapping

    def validate_timezone(self, name):
        if name and name not in available_timezones():
            raise serializers.ValidationError(f"Unknown time zone {name!r}.")
        return name

    def validate(self, attrs):
        if "format" not in attrs:
            name = attrs["file"].name.lower()
            if name.endswith(".csv"):
                attrs["format"] = ImportFormat.CSV
            elif name.endswith((".jsonl", ".ndjson", ".json")):
                attrs["format"] = ImportFormat.JSONL
            else:
                raise serializers.ValidationError({"format": ["Say csv or jsonl."]})
        return attrs


class ImportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, WorkspaceScopedViewSet):
    """File imports of feedback: CSV (Qualtrics exports included) or JSON Lines."""

    serializer_class = ImportJobSerializer
    write_role = Role.ANALYST
    parser_classes = [MultiPartParser]

    def get_queryset(self):
        return ImportJob.objects.filter(workspace_id__in=self.workspace_ids).select_related(
            "workspace"
        )

    @extend_schema(
        request={"multipart/form-data": ImportCreateSerializer},
        responses={202: ImportJobSerializer},
    )
    def create(self, request):
        params = ImportCreateSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        workspace = target_workspace(request, self.write_role, data.get("workspace"))
        job = imports.import_create(
            workspace=workspace,
            upload=data["file"],
            file_format=data["format"],
            mapping=data["mapping"],
            defaults=data["defaults"],
            timezone_name=data["timezone"],
            created_by=self.tagged_by,
        )
        return Response(ImportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR})
    @action(detail=True, url_path="rejected")
    def rejected_csv(self, request, pk=None):
        """The rejected rows with their reasons, as CSV."""
        return rejected_rows_response(self.get_object())
