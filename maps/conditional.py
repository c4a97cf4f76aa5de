"""Conditional GET for what a journey's content version covers (journeys/content_version.py):
its map and its touchpoint list answer If-None-Match with 304 Not Modified."""

import hashlib
import uuid

from django.db import connection
from django.http import HttpResponse
from django.utils.cache import get_conditional_response

from journeys.models import Journey, JourneyVersion

VERSION_SQL = f"""
SELECT v.version FROM {JourneyVersion._meta.db_table} v
JOIN {Journey._meta.db_table} j ON j.id = v.journey_id
WHERE v.journey_id = %s AND j.workspace_id = ANY(%s)
"""


def journey_etag(request, *, journey_id, workspace_ids) -> str | None:
    """A weak ETag from the journey's content version and what the request asks for (its path
    and query, its Accept), or None for a journey that is not the caller's. Read it before
    the rows it stands for: rows read afterwards are at least as new, so a response is never
    older than its ETag."""
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
    asked = f"{request.get_full_path()}\n{request.headers.get('Accept', '')}"
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
