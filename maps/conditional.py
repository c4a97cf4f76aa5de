"""Conditional GET for what a journey's content version covers (journeys/content_version.py):
its map and its touchpoint list answer If-None-Match with 304 Not Modified, and an unconditional
GET of a version already answered gets that answer from the cache instead of being built again."""

import hashlib
import uuid
from collections.abc import Callable

import orjson
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.translation import get_language
from drf_orjson_renderer.renderers import ORJSONRenderer
from rest_framework.response import Response

from config.outage import cache_breaker
from journeys.models import Journey, JourneyVersion

# Long enough for every poller of a map to share one build, short enough that the versions
# a busy journey leaves behind do not pile up in Redis.
ANSWER_SECONDS = 60

VERSION_SQL = f"""
SELECT v.version FROM {JourneyVersion._meta.db_table} v
JOIN {Journey._meta.db_table} j ON j.id = v.journey_id
WHERE v.journey_id = %s AND j.workspace_id = ANY(%s)
"""


def journey_etag(request, *, journey_id, workspace_ids) -> str | None:
    """A weak ETag from the journey's content version and all that the request asks for (its
    URL, host included, since answers link to pages of it; its Accept; its language), or None
    for a journey that is not the caller's. Read it before the rows it stands for: rows read
    afterwards are at least as new, so a response is never older than its ETag."""
    try:
        journey_id = uuid.UUID(str(journey_id))
    except ValueError:
        return None
    # Plain SQL: this read is all a 304 costs besides the caller, and the ORM's compiling of
    # the query took longer than running it.
    with connection.cursor() as cursor:
        cursor.execute(VERSION_SQL, [journey_id, list(workspace_ids)])
        row = cursor.fetchone()
    if row is None:
        return None
    version = row[0]
    asked = "\n".join(
        [request.build_absolute_uri(), request.headers.get("Accept", ""), get_language()]
    )
    return f'W/"{version}-{hashlib.blake2b(asked.encode(), digest_size=8).hexdigest()}"'


def not_modified(request, etag: str | None) -> HttpResponse | None:
    """304 (or 412 for a failed If-Match) when the request's conditions say so, else None."""
    if etag is None:
        return None
    response = get_conditional_response(request, etag=etag)
    if response is not None:
        tagged(response, etag)
    return response


def tagged(response, etag: str | None):
    if etag is not None:
        response["ETag"] = etag
        # Cached, but asked again every time: the version says whether it changed.
        response["Cache-Control"] = "private, no-cache"
    return response


def remembered(etag: str | None, build: Callable[[], dict]) -> Response:
    """The answer's data for its ETag: from the cache when a caller already asked the same of
    the same version (its content and the query are all in the ETag), else from build(), kept
    for ANSWER_SECONDS. Kept as its JSON, which loads several times faster than a pickle of
    its UUIDs and datetimes, and read back as data that each request renders for its renderer."""
    if etag is None:
        return Response(build())
    key = f"api-answer:{etag}"
    kept = cache_breaker.call(cache.get, key)
    if kept is not None:
        return tagged(Response(orjson.loads(kept)), etag)
    data = build()
    cache_breaker.call(cache.set, key, ORJSONRenderer().render(data), ANSWER_SECONDS)
    return tagged(Response(data), etag)
