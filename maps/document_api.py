"""The API's side of journey documents (maps/documents.py): the serializers that describe a
document in the schema, the parser of an import's body, what an import's body becomes, and the
journey templates."""

import orjson
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from feedback.api import PayloadTooLarge
from journeys.api import LanesField, LaneValuesField
from journeys.lanes import default_lanes
from journeys.models import StageKind
from maps import documents
from maps.blueprints import BLUEPRINTS, blueprint_document
from maps.documents import DocumentError, validate_document
from maps.mermaid import validate_mermaid
from moments.models import MomentType
from touchpoints.models import Channel
from workspaces.api import WorkspaceScopedViewSet
from workspaces.models import Role

# Journey documents (maps/documents.py): these serializers describe them for the schema only;
# validate_document checks them, naming where each problem is.


class DocumentMomentSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=MomentType.choices)
    impact = serializers.IntegerField(min_value=1, max_value=5, required=False, default=3)
    rationale = serializers.CharField(
        required=False, allow_blank=True, max_length=documents.LONG_TEXT
    )


class DocumentTouchpointSerializer(serializers.Serializer):
    key = serializers.SlugField(
        max_length=100,
        required=False,
        help_text="Unique in the document; on import a key the workspace uses gets a suffix "
        "(-2, -3…), and a touchpoint without one gets one from its name.",
    )
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(
        required=False, allow_blank=True, max_length=documents.LONG_TEXT
    )
    channel = serializers.ChoiceField(choices=Channel.choices, required=False, default="other")
    owner = serializers.CharField(required=False, allow_blank=True, max_length=200)
    expected_emotion = serializers.IntegerField(
        min_value=-2, max_value=2, required=False, default=0
    )
    pain_points = serializers.CharField(
        required=False, allow_blank=True, max_length=documents.LONG_TEXT
    )
    opportunities = serializers.CharField(
        required=False, allow_blank=True, max_length=documents.LONG_TEXT
    )
    lane_values = LaneValuesField(
        required=False,
        default=dict,
        help_text="{custom lane id: text}, for the custom lanes of the document's journey.",
    )
    moments = DocumentMomentSerializer(
        many=True, required=False, help_text="At most one of each type."
    )


class DocumentStageSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=StageKind.choices, required=False, default="custom")
    touchpoints = DocumentTouchpointSerializer(many=True, required=False)


class DocumentJourneySerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    persona = serializers.CharField(required=False, allow_blank=True, max_length=200)
    persona_goals = serializers.CharField(
        required=False, allow_blank=True, max_length=documents.LONG_TEXT
    )
    persona_frustrations = serializers.CharField(
        required=False, allow_blank=True, max_length=documents.LONG_TEXT
    )
    description = serializers.CharField(
        required=False, allow_blank=True, max_length=documents.LONG_TEXT
    )
    lanes = LanesField(
        required=False,
        default=default_lanes,
        help_text="The rows under the stages, in order; channel, pain points and opportunities "
        "when omitted.",
    )


class JourneyDocumentSerializer(serializers.Serializer):
    """A journey with its stages, touchpoints and moments of truth: no ids, no feedback."""

    truthmap = serializers.IntegerField(
        min_value=documents.VERSION,
        max_value=documents.VERSION,
        help_text="The version of the format: 1.",
    )
    journey = DocumentJourneySerializer()
    stages = DocumentStageSerializer(
        many=True,
        help_text=f"At most {documents.MAX_STAGES} stages and "
        f"{documents.MAX_TOUCHPOINTS} touchpoints in all.",
    )


class MermaidImportSerializer(serializers.Serializer):
    mermaid = serializers.CharField(
        help_text="A Mermaid `journey` diagram: one exported by Truthmap restores its journey, "
        "any other imports too."
    )


JOURNEY_IMPORT = PolymorphicProxySerializer(
    component_name="JourneyImport",
    serializers=[JourneyDocumentSerializer, MermaidImportSerializer],
    resource_type_field_name=None,
    many=False,
)


class JourneyTemplateSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="e.g. `saas-onboarding`")
    name = serializers.CharField()
    document = JourneyDocumentSerializer(
        help_text="POST it to journeys/import/ to start a journey from the template."
    )


class DocumentParser(JSONParser):
    """JSON read with orjson within the import's 1 MB limit; a body too deep or too large is a
    400 or a 413, never a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        body = stream.read(documents.MAX_BYTES + 1)
        if len(body) > documents.MAX_BYTES:
            raise PayloadTooLarge(_("The body may be at most 1 MB."))
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise ParseError(_("The body is not valid JSON: %(error)s") % {"error": exc}) from None


def imported_document(data) -> dict:
    """The validated document of an import's body: a document, or {"mermaid": text}."""
    try:
        if isinstance(data, dict) and "mermaid" in data:
            if set(data) != {"mermaid"} or not isinstance(data["mermaid"], str):
                raise DocumentError(
                    {"mermaid": [_('Send {"mermaid": text} alone, or a document.')]}
                )
            return validate_mermaid(data["mermaid"])
        return validate_document(data)
    except DocumentError as exc:
        raise serializers.ValidationError(exc.errors) from None


def template_representation(template_id: str) -> dict:
    document = blueprint_document(BLUEPRINTS[template_id])
    return {"id": template_id, "name": document["journey"]["name"], "document": document}


class JourneyTemplateViewSet(WorkspaceScopedViewSet):
    """Ready-made journeys, in the language of the request: start one by POSTing its
    `document` to journeys/import/ (change `document.journey.name` first if you like)."""

    serializer_class = JourneyTemplateSerializer
    write_role = Role.MANAGER
    lookup_value_regex = "[-a-z0-9]+"
    filter_backends = []  # templates are no model to filter

    def list(self, request):
        templates = [template_representation(template_id) for template_id in BLUEPRINTS]
        return self.get_paginated_response(self.paginate_queryset(templates))

    @extend_schema(parameters=[OpenApiParameter("id", str, OpenApiParameter.PATH)])
    def retrieve(self, request, pk=None):
        if pk not in BLUEPRINTS:
            raise Http404(_("No such journey template."))
        return Response(template_representation(pk))
