import codecs
import json
from datetime import UTC, datetime
from zoneinfo import available_timezones

import django_filters
import orjson
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db.models import Q
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework import mixins, pagination, renderers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.utils.urls import replace_query_param

from config.csv_export import CSVRenderer, csv_response, wants
from feedback import imports
from feedback.exports import FEEDBACK_COLUMNS, feedback_rows
from feedback.imports import OPTIONS
from feedback.ingestion import (
    FIELDS,
    MAX_BODY_BYTES,
    MAX_ITEMS,
    SCALES,
    SENTIMENT_RANGE,
    TEXT_LIMITS,
    feedback_ingest,
)
from feedback.models import Feedback, ImportFormat, ImportJob, ImportProfile, Outcome
from feedback.readers import MAX_HEADER_ROWS, clean_text, is_text_encoding
from feedback.rejected import rejected_rows_response
from feedback.selectors import arrival_fence
from touchpoints.models import Channel
from workspaces.api import WorkspaceScopedViewSet
from workspaces.models import Role
from workspaces.permissions import target_workspace


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = gettext_lazy("The request is too large.")
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

    def get_paginated_response_schema(self, schema):
        described = super().get_paginated_response_schema(schema)
        described["properties"]["count"] = {"type": "integer", "nullable": True, "example": None}
        return described

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
            {"received_after": [_("An ISO 8601 date-time, e.g. 2026-12-01T10:00:00.123456Z.")]}
        )
    after_id = params.get("after_id", "0")
    if not after_id.isdigit() or len(after_id) > 18:
        raise serializers.ValidationError({"after_id": [_("A feedback id, a whole number.")]})
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
        raise ParseError(_("The body is not valid JSON: %(error)s") % {"error": error}) from None


def parse_feedback_body(request) -> list:
    length = request.META.get("CONTENT_LENGTH") or "0"
    if length.isdigit() and int(length) > MAX_BODY_BYTES:
        raise PayloadTooLarge(_("The body may be at most 10 MB."))
    try:
        body = request.body
    except RequestDataTooBig:
        raise PayloadTooLarge(_("The body may be at most 10 MB.")) from None
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        data = json_loads_beyond_orjson(body, exc)
    if isinstance(data, dict):
        return [data]
    if not isinstance(data, list):
        raise ParseError(_("Send one feedback object or an array of them."))
    if not data:
        raise ParseError(_("The array is empty."))
    if len(data) > MAX_ITEMS:
        raise PayloadTooLarge(
            _("At most %(max)s items per request; this has %(count)s.")
            % {"max": MAX_ITEMS, "count": len(data)}
        )
    return data


class FeedbackViewSet(mixins.ListModelMixin, WorkspaceScopedViewSet):
    """Feedback records. POST takes one object or an array of up to 10,000 and answers 202.

    When `comment` is given without `sentiment`, sentiment is computed within seconds by a worker
    with VADER for English comments; comments in other languages keep a null sentiment."""

    serializer_class = FeedbackSerializer
    filterset_class = FeedbackFilter
    pagination_class = NewestFirstCursor  # what the schema documents; see paginator
    write_role = Role.ANALYST

    def get_queryset(self):
        return Feedback.objects.filter(workspace_id__in=self.workspace_ids)

    @property
    def paginator(self):
        """Newest first; in arrival order for a client that syncs with `received_after`."""
        if not hasattr(self, "_paginator"):
            syncing = "received_after" in self.request.query_params
            self._paginator = ArrivalOrder() if syncing else self.pagination_class()
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
                {"received_after": [_("CSV gives every row; filter it with since and until.")]}
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
    profile = serializers.SlugRelatedField(slug_field="name", read_only=True, allow_null=True)
    detected = serializers.SerializerMethodField(
        help_text="The settings found in the file rather than given: {name: value}."
    )

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "workspace",
            "filename",
            "profile",
            "format",
            "encoding",
            "delimiter",
            "header_rows",
            "mapping",
            "defaults",
            "value_map",
            "date_format",
            "timezone",
            "decimal",
            "language",
            "detected",
            "columns",
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

    def get_detected(self, job: ImportJob) -> dict:
        return {name: getattr(job, name) for name in job.detected}


def check_text(value, path: str = "") -> None:
    """A NUL or a lone surrogate (from a JSON escape) anywhere in an option: PostgreSQL could
    not store it, and no file's column holds one."""
    if isinstance(value, dict):
        for key, item in value.items():
            check_text(key, path)
            check_text(item, f"{path}{key}." if path else f"{key}.")
    elif isinstance(value, list):
        for item in value:
            check_text(item, path)
    elif isinstance(value, str):
        if "\x00" in value:
            raise serializers.ValidationError(_("Null characters are not allowed."))
        if clean_text(value) != value:
            raise serializers.ValidationError(_("Must be valid Unicode text."))


def json_option(data):
    """An option sent as JSON text in multipart (or as JSON in a JSON body)."""
    if isinstance(data, str):
        try:
            data = json.loads(data) if data.strip() else {}
        except ValueError:
            raise serializers.ValidationError(_("Must be a JSON object.")) from None
    if not isinstance(data, dict):
        raise serializers.ValidationError(_("Must be a JSON object."))
    check_text(data)
    return data


class FieldMapField(serializers.JSONField):
    """A JSON object keyed by feedback field names (sent as a JSON string in multipart)."""

    def to_internal_value(self, data):
        data = json_option(data)
        unknown = sorted(set(data) - FIELDS)
        if unknown:
            raise serializers.ValidationError(
                _("Unknown feedback fields: %(fields)s.") % {"fields": ", ".join(unknown)}
            )
        return data


def json_scalar(value) -> bool:
    if isinstance(value, int) and not isinstance(value, bool):
        return abs(value) < 2**53
    return value is None or isinstance(value, str | float | bool)


DELIMITER_NAMES = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}
DATE_FORMATS = ("iso", "epoch_s", "epoch_ms")


class ImportOptionsSerializer(serializers.Serializer):
    """How to read an import file; each option optional (docs/imports.md). The upload and a
    saved profile take the same options, validated here."""

    format = serializers.ChoiceField(choices=ImportFormat.choices, required=False)
    delimiter = serializers.CharField(
        required=False, trim_whitespace=False, help_text='One character; "tab" for a tab.'
    )
    encoding = serializers.CharField(required=False, help_text="e.g. utf-8, utf-16, cp1252")
    header_rows = serializers.IntegerField(required=False, min_value=1, max_value=MAX_HEADER_ROWS)
    mapping = FieldMapField(
        required=False,
        help_text='{field: column}, or a dotted key path in JSON: {"csat": "rating.score"}',
    )
    defaults = FieldMapField(
        required=False, help_text='Values for every row, e.g. {"touchpoint_key": "post-sale"}'
    )
    value_map = FieldMapField(
        required=False,
        help_text='{field: {value in the file: stored value}}, e.g. {"csat": {"good": 5}}',
    )
    date_format = serializers.CharField(
        required=False, help_text="iso, epoch_s, epoch_ms or a strftime pattern (%m/%d/%Y)"
    )
    timezone = serializers.CharField(
        required=False, help_text="Zone for date-times without offset, e.g. Europe/Madrid."
    )
    decimal = serializers.ChoiceField(choices=[".", ","], required=False)

    def validate_delimiter(self, value: str) -> str:
        value = DELIMITER_NAMES.get(value.lower(), value)
        if len(value) != 1 or value in '"\r\n\x00':
            raise serializers.ValidationError(_("One character other than a quote or a newline."))
        return value

    def validate_encoding(self, name: str) -> str:
        name = name.strip()
        if not is_text_encoding(name):
            raise serializers.ValidationError(
                _("Unknown text encoding %(name)s.") % {"name": repr(name)}
            )
        return codecs.lookup(name).name

    def validate_mapping(self, mapping: dict) -> dict:
        if not all(isinstance(column, str) and column.strip() for column in mapping.values()):
            raise serializers.ValidationError(_("Each field maps to a column name."))
        return mapping

    def validate_defaults(self, defaults: dict) -> dict:
        if not all(json_scalar(value) or isinstance(value, dict) for value in defaults.values()):
            raise serializers.ValidationError(
                _("Each default is a string, a number or true/false.")
            )
        return defaults

    def validate_value_map(self, value_map: dict) -> dict:
        for name, table in value_map.items():
            if not isinstance(table, dict) or not all(map(json_scalar, table.values())):
                raise serializers.ValidationError(
                    _("%(field)s: an object of {value in the file: value to store}.")
                    % {"field": name}
                )
        return value_map

    def validate_date_format(self, value: str) -> str:
        if value in DATE_FORMATS:
            return value
        if "%" not in value:
            raise serializers.ValidationError(
                _("iso, epoch_s, epoch_ms or a strftime pattern such as %(example)s.")
                % {"example": "%m/%d/%Y %I:%M %p"}
            )
        sample = datetime(2026, 11, 20, 16, 5, 9, tzinfo=UTC)
        try:
            datetime.strptime(sample.strftime(value), value)
        except ValueError as exc:
            raise serializers.ValidationError(
                _("Not a strftime pattern: %(error)s.") % {"error": exc}
            ) from None
        return value

    def validate_timezone(self, name: str) -> str:
        if name and name not in available_timezones():
            raise serializers.ValidationError(
                _("Unknown time zone %(name)s.") % {"name": repr(name)}
            )
        return name


class ImportCreateSerializer(ImportOptionsSerializer):
    """The upload. Give `workspace` in the context: the profile is looked up in it."""

    file = serializers.FileField()
    profile = serializers.CharField(
        required=False, help_text="The name of a saved import profile; options given here win."
    )
    workspace = serializers.SlugField(required=False)

    def validate_file(self, upload):
        if upload.size > settings.IMPORT_MAX_BYTES:
            limit = settings.IMPORT_MAX_BYTES // (1024 * 1024)
            raise serializers.ValidationError(
                _("A file may be at most %(limit)s MB.") % {"limit": limit}
            )
        return upload

    def validate_profile(self, name: str) -> ImportProfile:
        profile = ImportProfile.objects.filter(workspace=self.context["workspace"], name=name)
        if not profile.exists():
            raise serializers.ValidationError(
                _("No import profile named %(name)s here.") % {"name": repr(name)}
            )
        return profile.get()

    def options(self) -> dict:
        """The options given, for feedback.imports.import_create."""
        return {name: self.validated_data[name] for name in OPTIONS if name in self.validated_data}


class WorkspaceSlugSerializer(serializers.Serializer):
    workspace = serializers.SlugField(required=False)


def writable_workspace(request, role: str):
    """The workspace named by the request's `workspace` (validated first: a NUL in it would
    reach the query), else the only one the caller writes to."""
    slug = request.data.get("workspace") if hasattr(request.data, "get") else None
    named = WorkspaceSlugSerializer(data={"workspace": slug} if slug else {})
    named.is_valid(raise_exception=True)
    return target_workspace(request, role, named.validated_data.get("workspace"))


class DownloadRenderer(renderers.BaseRenderer):
    """Lets a download answer whatever the client accepts; the body is the file's own format.
    Errors (a 404) are written as JSON."""

    media_type = "*/*"
    format = ""  # answers no ?format=, and the schema generator needs a string
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return orjson.dumps(data)


class CsvDownloadRenderer(DownloadRenderer):
    media_type = "text/csv"
    format = "csv"


class ImportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, WorkspaceScopedViewSet):
    """File imports of feedback: CSV, TSV (Qualtrics and SurveyMonkey exports included), JSON
    Lines or a JSON array, in any encoding (docs/imports.md)."""

    serializer_class = ImportJobSerializer
    write_role = Role.ANALYST
    parser_classes = [MultiPartParser]

    def get_queryset(self):
        return ImportJob.objects.filter(workspace_id__in=self.workspace_ids).select_related(
            "workspace", "profile"
        )

    @extend_schema(
        request={"multipart/form-data": ImportCreateSerializer},
        responses={202: ImportJobSerializer},
    )
    def create(self, request):
        workspace = writable_workspace(request, self.write_role)
        params = ImportCreateSerializer(data=request.data, context={"workspace": workspace})
        params.is_valid(raise_exception=True)
        job = imports.import_create(
            workspace=workspace,
            upload=params.validated_data["file"],
            options=params.options(),
            profile=params.validated_data.get("profile"),
            created_by=self.tagged_by,
        )
        return Response(ImportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        responses={
            (200, media): OpenApiTypes.STR
            for media in (
                "text/csv",
                "text/tab-separated-values",
                "application/x-ndjson",
                "application/json",
            )
        }
    )
    @action(
        detail=True,
        url_path="rejected",
        renderer_classes=[
            *api_settings.DEFAULT_RENDERER_CLASSES,
            CsvDownloadRenderer,
            DownloadRenderer,
        ],
    )
    def rejected_csv(self, request, pk=None, format=None):
        """The rejected rows with their reasons, in the file's own format: CSV or TSV with its
        delimiter and header, JSON Lines, or a JSON array; `_row` and `_errors` added."""
        return rejected_rows_response(self.get_object())


class ImportProfileSerializer(ImportOptionsSerializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=100)
    workspace = serializers.SlugField(required=False, help_text="Slug; on create only.")
    created_by = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    def to_representation(self, profile: ImportProfile) -> dict:
        return {
            "id": profile.pk,
            "workspace": profile.workspace.slug,
            "name": profile.name,
            **{name: profile.options[name] for name in OPTIONS if name in profile.options},
            "created_by": profile.created_by,
            "created_at": serializers.DateTimeField().to_representation(profile.created_at),
            "updated_at": serializers.DateTimeField().to_representation(profile.updated_at),
        }

    def validate_name(self, name: str) -> str:
        name = name.strip()
        workspace = self.context.get("workspace") or self.instance.workspace
        taken = ImportProfile.objects.filter(workspace=workspace, name=name)
        if self.instance:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise serializers.ValidationError(_("A profile of this name exists in the workspace."))
        return name

    def options(self) -> dict:
        return {name: self.validated_data[name] for name in OPTIONS if name in self.validated_data}


class ImportProfileViewSet(WorkspaceScopedViewSet, viewsets.ModelViewSet):
    """Saved import options, used by an upload that names the profile. Analysts write,
    viewers read; names are unique in a workspace."""

    serializer_class = ImportProfileSerializer
    write_role = Role.ANALYST

    def get_queryset(self):
        return ImportProfile.objects.filter(workspace_id__in=self.workspace_ids).select_related(
            "workspace"
        )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.action == "create":
            context["workspace"] = writable_workspace(self.request, self.write_role)
        return context

    def perform_create(self, serializer):
        serializer.instance = ImportProfile.objects.create(
            workspace=serializer.context["workspace"],
            name=serializer.validated_data["name"],
            options=serializer.options(),
            created_by=self.tagged_by,
        )

    def perform_update(self, serializer):
        profile = serializer.instance
        profile.name = serializer.validated_data.get("name", profile.name)
        profile.options = {**profile.options, **serializer.options()}
        profile.save()
