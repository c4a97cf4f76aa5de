from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from feedback.at_risk import at_risk_customers
from feedback.publishing import publish
from journeys import services
from journeys.models import Journey, Stage, StageKind
from touchpoints.api import TOUCHPOINT_VALUES, TouchpointSerializer, touchpoint_representations
from workspaces.api import HealthSerializer, WorkspaceScopedViewSet, health_representation
from workspaces.models import Role, Workspace
from workspaces.permissions import caller_roles, target_workspace


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
    workspace = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Workspace.objects.all(),
        required=False,
        help_text="Slug of the workspace; optional when you can write to only one.",
    )
    health = HealthSerializer(read_only=True)
    version = serializers.IntegerField(required=False, min_value=1)
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
            "description",
            "version",
            "created_at",
            "updated_at",
            "health",
            "stages",
        ]

    def validate_workspace(self, workspace: Workspace) -> Workspace:
        if workspace.pk not in caller_roles(self.context["request"]):
            raise serializers.ValidationError(f"Object with slug={workspace.slug} does not exist.")
        return workspace

    def validate(self, attrs: dict) -> dict:
        if self.instance is None:
            attrs.pop("version", None)  # a new journey starts at 1; `version` guards PATCH only
        else:
            for field in ("workspace", "stages"):
                if field in attrs:
                    raise serializers.ValidationError({field: "This cannot be changed here."})
        return attrs


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


class JourneyViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    WorkspaceScopedViewSet,
):
    serializer_class = JourneySerializer
    write_role = Role.MANAGER
    action_write_roles = {"rescore": Role.ANALYST}

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

    @extend_schema(responses=MapSerializer)
    @action(detail=True)
    def map(self, request, pk=None):
        """The whole map in one response: stages → touchpoints → moments, with health."""
        journey = self.get_object()
        data = JourneySerializer(journey, context={"request": request}).data
        data["stages"] = map_stage_representations(journey)
        return Response(data)

    @extend_schema(methods=["GET"], responses=StageSerializer(many=True))
    @extend_schema(methods=["POST"], request=StageSerializer, responses={201: StageSerializer})
    @action(detail=True, methods=["get", "post"], serializer_class=StageSerializer)
    def stages(self, request, pk=None):
        journey = self.get_object()  # for a POST, this checks the write role too
        if request.method == "GET":
            page = self.paginate_queryset(journey.stages.order_by("position"))
            return self.get_paginated_response(StageSerializer(page, many=True).data)
        serializer = StageSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        stage = services.stage_create(journey=journey, **serializer.validated_data)
        return Response(StageSerializer(stage).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={202: None})
    @action(detail=True, methods=["post"])
    def rescore(self, request, pk=None):
        """Scores every touchpoint of the journey again, in a worker."""
        journey = self.get_object()
        publish("feedback.tasks.rescore_journey_task", str(journey.pk))
        return Response({"detail": "Rescore queued."}, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        parameters=[OpenApiParameter("limit", int, description="Most customers listed (100).")],
        responses=AtRiskSerializer,
    )
    @action(detail=True, url_path="at-risk")
    def at_risk(self, request, pk=None):
        """Customers about to leave: at least `threshold` bad experiences in the window."""
        limit = request.query_params.get("limit", "100")
        if not limit.isdigit() or not 1 <= int(limit) <= 10_000:
            raise serializers.ValidationError({"limit": ["A whole number from 1 to 10000."]})
        return Response(
            AtRiskSerializer(at_risk_customers(self.get_object(), limit=int(limit))).data
        )


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
