"""The OpenAPI schema is the contract for generated clients: it validates as OpenAPI 3, JSON
endpoints take JSON only, and every error a client can meet is documented with its body."""

import pytest
from openapi_spec_validator import validate


@pytest.fixture
def schema(api) -> dict:
    response = api.get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def operations(schema: dict):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_it_validates_as_openapi_3(schema):
    validate(schema)


def test_json_endpoints_take_json_only(schema):
    for path, method, operation in operations(schema):
        body = operation.get("requestBody")
        if body is None:
            continue
        expected = ["multipart/form-data"] if path == "/api/v1/imports/" else ["application/json"]
        assert list(body["content"]) == expected, (method, path)


def test_every_operation_documents_its_errors(schema):
    for path, method, operation in operations(schema):
        responses = operation["responses"]
        assert {"401", "429"} <= set(responses), (method, path)
        if "{" in path:
            assert "404" in responses, (method, path)
        if method in ("post", "patch"):
            assert {"400", "403"} <= set(responses), (method, path)
    patch_journey = schema["paths"]["/api/v1/journeys/{id}/"]["patch"]["responses"]
    assert patch_journey["409"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Conflict"
    }


def test_feedback_post_takes_one_item_or_an_array_with_every_field(schema):
    body = schema["paths"]["/api/v1/feedback/"]["post"]["requestBody"]["content"]
    batch = body["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    item = {"$ref": "#/components/schemas/FeedbackItemRequest"}
    assert schema["components"]["schemas"][batch]["oneOf"] == [
        item,
        {"type": "array", "items": item},
    ]
    fields = schema["components"]["schemas"]["FeedbackItemRequest"]["properties"]
    assert (fields["nps"]["minimum"], fields["nps"]["maximum"]) == (0, 10)
    assert (fields["ces"]["minimum"], fields["ces"]["maximum"]) == (1, 7)
    assert fields["external_id"]["maxLength"] == 200
    assert "occurred_at" in schema["components"]["schemas"]["FeedbackItemRequest"]["required"]


def test_the_item_schema_names_every_field_ingestion_takes(schema):
    from feedback.ingestion import FIELDS

    assert set(schema["components"]["schemas"]["FeedbackItemRequest"]["properties"]) == FIELDS


@pytest.mark.parametrize(
    ("content_type", "body"),
    [("application/x-www-form-urlencoded", "name=X"), ("text/plain", '{"name": "X"}')],
)
def test_a_write_that_is_not_json_is_a_415(api, content_type, body):
    response = api.post("/api/v1/journeys/", body, content_type=content_type)
    assert response.status_code == 415
    assert "detail" in response.json()


CSV_LISTS = [
    "/api/v1/touchpoints/",
    "/api/v1/feedback/",
    "/api/v1/journeys/{id}/at-risk/",
    "/api/v1/journeys/{id}/export/",
]


def test_csv_and_text_answers_are_documented_and_their_errors_stay_json(schema):
    for path in CSV_LISTS:
        responses = schema["paths"][path]["get"]["responses"]
        assert set(responses["200"]["content"]) == {"application/json", "text/csv"}, path
        assert responses["200"]["content"]["text/csv"]["schema"] == {"type": "string"}
        format_ = next(
            p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == "format"
        )
        assert set(format_["schema"]["enum"]) == {"json", "csv"}
        assert list(responses["400"]["content"]) == ["application/json"], path
    mermaid = schema["paths"]["/api/v1/journeys/{id}/mermaid/"]["get"]["responses"]
    assert mermaid["200"]["content"] == {"text/plain": {"schema": {"type": "string"}}}
    assert list(mermaid["404"]["content"]) == ["application/json"]


def test_the_import_takes_a_document_or_a_mermaid_text_as_json(schema):
    operation = schema["paths"]["/api/v1/journeys/import/"]["post"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert schema["components"]["schemas"][body.rsplit("/", 1)[1]]["oneOf"] == [
        {"$ref": "#/components/schemas/JourneyDocumentRequest"},
        {"$ref": "#/components/schemas/MermaidImportRequest"},
    ]
    assert {"201", "400", "403", "413"} <= set(operation["responses"])


def test_the_document_schema_is_the_document_the_import_checks(schema):
    """Every level of JourneyDocumentRequest names the fields maps.documents takes, and
    requires the ones it requires."""
    from maps import documents

    components = schema["components"]["schemas"]

    def compare(component: str, spec) -> None:
        described = components[component]
        assert set(described["properties"]) == set(spec.fields), component
        required = {name for name, field in spec.fields.items() if field.required}
        assert set(described.get("required", [])) == required, component
        for name, field in spec.fields.items():
            nested = described["properties"][name]
            if isinstance(field, documents.List) and isinstance(field.item, documents.Object):
                compare(nested["items"]["$ref"].rsplit("/", 1)[1], field.item)
            elif isinstance(field, documents.Object):
                compare(nested["$ref"].rsplit("/", 1)[1], field)

    compare("JourneyDocumentRequest", documents.DOCUMENT)
