"""Who made a change, for the audit trail.

The triggers django-pghistory installs on journeys, stages, touchpoints and moments record every
change whatever made it (the API, the pages, set-based renumbering, the admin, a command), and copy
into each event the transaction's `pghistory.context_id` and `pghistory.context_metadata`
settings. A request sets them here, with the metadata {"actor": a username, or "token:NAME"};
outside a request (commands, workers, the demo seed) nothing sets them, and events have no actor.

pghistory's own `pghistory.context` cannot do it: it prepends its `set_config` to each statement
in the same execute, and with server-side binding (config/settings.py) PostgreSQL refuses several
commands in one prepared statement. So the settings are sent as a statement of their own, in the
transaction of each write to a tracked table: reads and other writes pay nothing.
"""

import json
import re
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pghistory
import pgtrigger
import psycopg.pq
from django.db import connection, transaction

SET_CONTEXT = (
    "SELECT set_config('pghistory.context_id', %s, true),"
    " set_config('pghistory.context_metadata', %s, true)"
)
RESET_CONTEXT = (
    "SELECT set_config('pghistory.context_id', '', true),"
    " set_config('pghistory.context_metadata', '', true)"
)

INERROR = psycopg.pq.TransactionStatus.INERROR

_state = threading.local()
_tracked_tables: tuple[str, ...] | None = None


@dataclass
class AuditContext:
    actor: str | None | Callable[[], str | None]
    id: uuid.UUID = field(default_factory=uuid.uuid4)
    set_in_transaction: bool = False

    def metadata(self) -> str:
        actor = self.actor() if callable(self.actor) else self.actor
        return json.dumps({"actor": actor})


def actor_name(user) -> str | None:
    """A signed-in user's username, a token's `token:NAME` (workspaces.auth.TokenUser)."""
    if user is None or not user.is_authenticated:
        return None
    return user.get_username()


def set_actor(actor: str | None) -> None:
    """Names the actor of the current request's changes from now on (e.g. once DRF, which
    authenticates after the middleware, knows the caller)."""
    context = getattr(_state, "context", None)
    if context is not None:
        context.actor = actor


def tracked_tables() -> tuple[str, ...]:
    global _tracked_tables
    if _tracked_tables is None:
        from pghistory.core import event_models

        _tracked_tables = tuple(
            sorted({model.pgh_tracked_model._meta.db_table for model in event_models()})
        )
    return _tracked_tables


WRITES = {"insert", "update", "delete", "merge"}
WRITE = re.compile(r"\b(insert|update|delete|merge)\b")


def _is_tracked_write(sql) -> bool:
    sql = (sql.decode() if isinstance(sql, bytes) else str(sql)).lower()
    first = sql.lstrip()[:6].rstrip()
    is_write = first in WRITES or (first[:4] == "with" and WRITE.search(sql) is not None)
    return is_write and any(table in sql for table in tracked_tables())


def _with_context(execute, sql, params, many, context):
    audit = getattr(_state, "context", None)
    cursor = context["cursor"]
    status = cursor.cursor.connection.info.transaction_status
    if audit is None or status == INERROR or not _is_tracked_write(sql):
        return execute(sql, params, many, context)
    # Outside a transaction the settings would end with their own statement: both go in one.
    # (Through the cursor, so that query logs and counts see it; being a SELECT, it skips this.)
    with transaction.atomic(using=context["connection"].alias, savepoint=False):
        cursor.execute(SET_CONTEXT, [str(audit.id), audit.metadata()])
        audit.set_in_transaction = True
        return execute(sql, params, many, context)


@contextmanager
def audit_context(actor: str | None | Callable[[], str | None]) -> Iterator[AuditContext]:
    """Changes made inside are recorded with this actor (a name, or a function that says it at
    the first write)."""
    previous = getattr(_state, "context", None)
    _state.context = audit = AuditContext(actor)
    try:
        with connection.execute_wrapper(_with_context):
            yield audit
    finally:
        _state.context = previous
        # A transaction that outlives the request (a test's, or ATOMIC_REQUESTS) must not lend
        # this actor to what it writes afterwards.
        if (
            audit.set_in_transaction
            and connection.in_atomic_block
            and not connection.needs_rollback
        ):
            with connection.cursor() as cursor:
                cursor.execute(RESET_CONTEXT)


class AuditContextMiddleware:
    """Each request's changes are recorded with the signed-in user as their actor."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with audit_context(lambda: actor_name(request.user)):
            return self.get_response(request)


def event_model(tracked_model, fields: list[str]):
    """The base of a tracked model's event model: its `fields` as they were after each change,
    labelled created, changed or deleted, with the request's context. "changed" is an
    `UPDATE OF` those columns when one of them changed: an UPDATE that sets other columns only,
    like a rescore's of the health columns, does not even fire the trigger."""
    columns = [tracked_model._meta.get_field(name).column for name in fields]
    return pghistory.create_event_model(
        tracked_model,
        pghistory.InsertEvent("created", trigger_name="created"),
        pghistory.UpdateEvent(
            "changed",
            trigger_name="changed",
            operation=pgtrigger.UpdateOf(*columns),
            condition=pghistory.AnyChange(*fields),
        ),
        pghistory.DeleteEvent("deleted", trigger_name="deleted"),
        fields=fields,
        context_field=pghistory.ContextJSONField(),
        context_id_field=pghistory.ContextUUIDField(),
        obj_field=pghistory.ObjForeignKey(related_name="+", related_query_name="+"),
    )
