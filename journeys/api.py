"""The plain API of journeys and stages; maps.api adds the whole map and its health."""

import django_filters
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from journeys import services
from journeys.lanes import BUILT_IN, ID_LENGTH, MAX_LANES, TEXT_LENGTH, TITLE_LENGTH, clean_lanes
from journeys.models import Journey, Stage, StageKind
from workspaces.api import WorkspaceScopedViewSet
from workspaces.models import Role, Workspace
from workspaces.permissions import SLUG, caller_roles, target_workspace


class HealthSerializer(serializers.Serializer):
    score = serializers.FloatField(allow_null=True)
    band = serializers.CharField()
    n = serializers.IntegerField()


def health_representation(row: dict) -> dict:
    """HealthSerializer's output for a row of values() with the health columns."""
    return {"score": row["health_score"], "band": row["health_band"], "n": row["health_n"]}


class WorkspaceSlugField(serializers.SlugRelatedField):
    """A workspace named by its slug; a value that cannot be a slug names none."""

    def to_internal_value(self, data):
        if not isinstance(data, str) or not SLUG.fullmatch(data):
            self.fail("does_not_exist", slug_name=self.slug_field, value=str(data)[:100])
        return super().to_internal_value(data)


class LaneSerializer(serializers.Serializer):
    """A row under the map's stages: a built-in lane by its id, or a custom text lane."""

    id = serializers.CharField(
        max_length=ID_LENGTH,
        required=False,
        help_text=f"A built-in lane ({', '.join(BUILT_IN)}) or a custom lane's slug; a custom "
        "lane given without one gets one made from its title.",
    )
    title = serializers.CharField(
        max_length=TITLE_LENGTH,
        required=False,
        help_text="A custom lane's title (built-in lanes have none).",
    )


@extend_schema_field(LaneSerializer(many=True))
class LanesField(serializers.JSONField):
    def to_internal_value(self, data):
        return clean_lanes(data)


LANE_VALUES_SCHEMA = {
    "type": "object",
    "additionalProperties": {"type": "string", "maxLength": TEXT_LENGTH},
    "description": "{custom lane id: text} for the custom lanes of the touchpoint's journey; "
    "a PATCH replaces them all, and blank texts are dropped.",
}


@extend_schema_field(LANE_VALUES_SCHEMA)
class LaneValuesField(serializers.JSONField):
    """Checked against the journey's lanes by whoever knows the journey (clean_lane_values)."""


class StageInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=StageKind.choices, default=StageKind.CUSTOM)


class StageSerializer(serializers.ModelSerializer):
    health = HealthSerializer(read_only=True)
    position = serializers.IntegerField(required=False, min_value=0)

    class Meta:
        model = Stage
        fields = ["id", "journey", "name", "kind", "position", "health"]
        read_only_fields = ["journey"]


class JourneySerializer(serializers.ModelSerializer):
    workspace = WorkspaceSlugField(
        slug_field="slug",
        queryset=Workspace.objects.all(),
        required=False,
        help_text="Slug of the workspace; optional when you can write to only one.",
    )
    health = HealthSerializer(read_only=True)
    version = serializers.IntegerField(required=False, min_value=1)
    archived = serializers.BooleanField(
        required=False,
        help_text="Archived journeys leave the dashboard's list, stay readable, and are skipped "
        "by the nightly rescore and the emails to followers. PATCH true to archive, false to "
        "unarchive.",
    )
    lanes = LanesField(
        required=False,
        help_text=f"The rows under the stages, in order, at most {MAX_LANES}: the built-in "
        f"lanes shown ({', '.join(BUILT_IN)}) and custom text lanes. A custom lane left out "
        "takes its touchpoints' values with it.",
    )
    stages = StageInputSerializer(
        many=True,
        required=False,
        write_only=True,
        help_text="Stages of a new journey, in order; the six classic stages when omitted.",
    )

    class Meta:
        model = Journey
        fields = [
            "id",
            "workspace",
            "name",
            "persona",
            "persona_goals",
            "persona_frustrations",
            "description",
            "lanes",
            "version",
            "created_at",
            "updated_at",
            "archived",
            "archived_at",
            "health",
            "stages",
        ]
        read_only_fields = ["archived_at"]

    def validate_workspace(self, workspace: Workspace) -> Workspace:
        if workspace.pk not in caller_roles(self.context["request"]):
            raise serializers.ValidationError(
                _("Object with slug=%(slug)s does not exist.") % {"slug": workspace.slug}
            )
        return workspace

    def validate(self, attrs: dict) -> dict:
        if self.instance is None:
            attrs.pop("version", None)  # a new journey starts at 1; `version` guards PATCH only
            if attrs.pop("archived", False):
                raise serializers.ValidationError({"archived": _("A new journey is not archived.")})
        else:
            for field in ("workspace", "stages"):
                if field in attrs:
                    raise serializers.ValidationError({field: _("This cannot be changed here.")})
        return attrs


class JourneyFilter(django_filters.FilterSet):
    archived = django_filters.ChoiceFilter(
        choices=[("true", "true"), ("false", "false")],
        method="filter_archived",
        help_text="`false`: the journeys in use; `true`: the archived ones. Both when omitted.",
    )

    class Meta:
        model = Journey
        fields = ["archived"]

    def filter_archived(self, queryset, name, value):
        return queryset.archived() if value == "true" else queryset.active()


class JourneyViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    WorkspaceScopedViewSet,
):
    serializer_class = JourneySerializer
    filterset_class = JourneyFilter
    write_role = Role.MANAGER

    def get_queryset(self):
        return Journey.objects.for_workspaces(self.workspace_ids).select_related("workspace")

    def perform_create(self, serializer):
        data = serializer.validated_data
        workspace = data.pop("workspace", None)
        workspace = target_workspace(self.request, self.write_role, workspace and workspace.slug)
        serializer.instance = services.journey_create(workspace=workspace, **data)

    def perform_update(self, serializer):
        serializer.instance = services.journey_update(
            journey=serializer.instance, **serializer.validated_data
        )

    @extend_schema(methods=["GET"], responses=StageSerializer(many=True))
    @extend_schema(methods=["POST"], request=StageSerializer, responses={201: StageSerializer})
    # filter_backends: `?archived=` filters journeys, not a journey's stages.
    @action(
        detail=True, methods=["get", "post"], serializer_class=StageSerializer, filter_backends=[]
    )
    def stages(self, request, pk=None):
        journey = self.get_object()  # for a POST, this checks the write role too
        if request.method == "GET":
            page = self.paginate_queryset(journey.stages.order_by("position"))
            return self.get_paginated_response(StageSerializer(page, many=True).data)
        serializer = StageSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        stage = services.stage_create(journey=journey, **serializer.validated_data)
        return Response(StageSerializer(stage).data, status=status.HTTP_201_CREATED)


class StageViewSet(
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    WorkspaceScopedViewSet,
):
    serializer_class = StageSerializer
    write_role = Role.MANAGER

    def get_queryset(self):
        return Stage.objects.filter(journey__workspace_id__in=self.workspace_ids).select_related(
            "journey"
        )

    def perform_update(self, serializer):
        serializer.instance = services.stage_update(
            stage=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.stage_delete(stage=instance)
