import django_filters
from django.utils.translation import gettext as _
from rest_framework import serializers, viewsets

from moments import services
from moments.models import Moment, MomentType
from touchpoints.models import Touchpoint
from workspaces.api import ScopedRelatedField, WorkspaceScopedViewSet
from workspaces.models import Role
from workspaces.permissions import require_role


class MomentSerializer(serializers.ModelSerializer):
    touchpoint = ScopedRelatedField(model=Touchpoint, workspace_lookup="workspace_id")
    tagged_by = serializers.CharField(read_only=True)

    class Meta:
        model = Moment
        fields = ["id", "touchpoint", "type", "impact", "rationale", "tagged_by", "created_at"]

    def validate(self, attrs: dict) -> dict:
        moved = (
            self.instance
            and attrs.get("touchpoint", self.instance.touchpoint) != self.instance.touchpoint
        )
        if moved:
            raise serializers.ValidationError(
                {"touchpoint": [_("A moment cannot move; tag the other touchpoint instead.")]}
            )
        return attrs


class MomentFilter(django_filters.FilterSet):
    journey = django_filters.UUIDFilter(field_name="touchpoint__journey_id")
    touchpoint = django_filters.UUIDFilter(field_name="touchpoint_id")
    type = django_filters.ChoiceFilter(choices=MomentType.choices)

    class Meta:
        model = Moment
        fields = ["journey", "touchpoint", "type"]


class MomentViewSet(WorkspaceScopedViewSet, viewsets.ModelViewSet):
    serializer_class = MomentSerializer
    filterset_class = MomentFilter
    write_role = Role.ANALYST

    def get_queryset(self):
        return (
            Moment.objects.filter(touchpoint__workspace_id__in=self.workspace_ids)
            .select_related("touchpoint")
            .order_by("created_at", "id")
        )

    def perform_create(self, serializer):
        data = serializer.validated_data
        require_role(self.request, data["touchpoint"].workspace_id, self.write_role)
        serializer.instance = services.moment_tag(**data, tagged_by=self.tagged_by)

    def perform_update(self, serializer):
        serializer.instance = services.moment_update(
            moment=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.moment_untag(moment=instance)
