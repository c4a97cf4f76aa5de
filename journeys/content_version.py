"""A journey's content version: a counter that goes up once in every transaction that changes
the journey, one of its stages, touchpoints or moments, health included. The list and map APIs
answer If-None-Match with 304 from it, so it must not miss a write path: database triggers keep
it, whatever writes the rows.

The triggers are deferred to the commit: the counter's row is locked last and held only while
the transaction commits, so it adds no lock-order deadlock between a rescore and an edit, and
readers never see a version before the rows it stands for."""

import pgtrigger

BUMP = """
    IF journey IS NULL THEN
        RETURN NULL;
    END IF;
    -- Once per journey and transaction: set_config(…, true) lasts until the transaction ends.
    flag := 'truthmap.journey_' || replace(journey::text, '-', '_');
    IF current_setting(flag, true) = '1' THEN
        RETURN NULL;
    END IF;
    PERFORM set_config(flag, '1', true);
    IF EXISTS (SELECT 1 FROM journeys_journey WHERE id = journey) THEN
        INSERT INTO journeys_journeyversion (journey_id, version) VALUES (journey, 1)
        ON CONFLICT (journey_id) DO UPDATE SET version = journeys_journeyversion.version + 1;
    ELSE
        DELETE FROM journeys_journeyversion WHERE journey_id = journey;
    END IF;
    RETURN NULL;
"""


def bumps_journey_version(*, journey: str) -> pgtrigger.Trigger:
    """The trigger of a table whose rows belong to a journey; `journey` is the SQL expression
    of a row's journey id, from NEW (null on DELETE) or OLD (null on INSERT)."""
    return pgtrigger.Trigger(
        name="bump_journey_version",
        when=pgtrigger.After,
        operation=pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete,
        timing=pgtrigger.Deferred,
        declare=[("journey", "uuid"), ("flag", "text")],
        func=f"journey := {journey};\n{BUMP}",
    )
