"""The OpenAPI schema's error responses: every 4xx a client can meet, with its body, so that
generated clients keep the error bodies instead of dropping them (drf-spectacular documents
successes only)."""

DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
ERROR_SCHEMAS = {
    "Error": DETAIL,
    "ValidationError": {
        "type": "object",
        "description": "{field: [messages]}, nested like the request for nested fields; "
        "non_field_errors for the request as a whole, or detail for an unreadable body.",
        "additionalProperties": {},
        "example": {"name": ["This field is required."]},
    },
    "Conflict": {
        "type": "object",
        "properties": {
            "detail": {"type": "string"},
            "version": {"type": "integer", "description": "The object's current version."},
        },
        "required": ["detail", "version"],
    },
}
DESCRIPTIONS = {
    "400": ("Invalid input: nothing was changed.", "ValidationError"),
    "401": ("No valid credentials (a Bearer token or a session).", "Error"),
    "403": ("Your role in the workspace does not allow this.", "Error"),
    "404": ("No such object in your workspaces.", "Error"),
    "409": ("The object changed since you read it: `version` is stale.", "Conflict"),
    "413": ("The request is too large.", "Error"),
    "429": ("Too many requests; retry after the Retry-After header's seconds.", "Error"),
}
WRITES = {"post", "put", "patch", "delete"}
VERSIONED = {"/api/v1/journeys/{id}/", "/api/v1/touchpoints/{id}/"}
LARGE_BODIES = {"/api/v1/feedback/", "/api/v1/imports/", "/api/v1/journeys/import/"}
MANAGERS_ONLY = (
    "/api/v1/webhooks/",
    "/api/v1/journeys/{id}/share-links/",
    "/api/v1/share-links/",
)  # reads too


def errors_of(path: str, method: str, operation: dict) -> list[str]:
    codes = ["401", "429"]
    if method in WRITES or path.startswith(MANAGERS_ONLY):
        codes.append("403")
    if method in {"post", "put", "patch"} or operation.get("parameters"):
        codes.append("400")
    names = {parameter.get("name") for parameter in operation.get("parameters", [])}
    if "{" in path or names & {"page", "cursor"}:  # a page past the end, a stale cursor
        codes.append("404")
    if method == "patch" and path in VERSIONED:
        codes.append("409")
    if method == "post" and path in LARGE_BODIES:
        codes.append("413")
    return sorted(codes)


def document_errors(result, generator, request, public):
    """drf-spectacular postprocessing hook."""
    result.setdefault("components", {}).setdefault("schemas", {}).update(ERROR_SCHEMAS)
    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/api/v1/"):
            continue
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for code in errors_of(path, method, operation):
                description, schema = DESCRIPTIONS[code]
                responses.setdefault(
                    code,
                    {
                        "description": description,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": f"#/components/schemas/{schema}"}
                            }
                        },
                    },
                )
    return result
