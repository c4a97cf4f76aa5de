from collections import Counter

from django.db import transaction
from django.db.models import F, Q
from django.db.models.expressions import RawSQL
from django.utils.text import slugify

from journeys import ordering
from journeys.lanes import custom_ids
from journeys.models import Stage
from journeys.services import check_version, lock_journey
from journeys.signals import journey_reshaped
from touchpoints.models import Touchpoint

KEY_LENGTH = Touchpoint._meta.get_field("key").max_length


def key_from_name(name: str) -> str:
    return slugify(name)[:90] or "touchpoint"


def touchpoint_free_key(*, workspace_id: int, name: str) -> str:
    """A key made from the name, with -2, -3… when the workspace already uses it."""
    base = key_from_name(name)
    taken = set(
        Touchpoint.objects.filter(workspace_id=workspace_id, key__startswith=base).values_list(
            "key", flat=True
        )
    )
    key, suffix = base, 2
    while key in taken:
        key, suffix = f"{base}-{suffix}", suffix + 1
    return key


def touchpoint_free_keys(*, workspace_id: int, keys: list[str]) -> list[str]:
    """Each key as it is where the workspace does not use it yet, else with -2, -3…, and none
    twice: touchpoint_free_key for many touchpoints at once, in one query when no key clashes
    (two when some do)."""
    taken = set(
        Touchpoint.objects.filter(workspace_id=workspace_id, key__in=set(keys)).values_list(
            "key", flat=True
        )
    )
    clashes = taken | {key for key, count in Counter(keys).items() if count > 1}
    if clashes:
        suffixed = Q()
        for key in clashes:
            short = len(key) <= KEY_LENGTH - 6
            suffixed |= Q(key__startswith=f"{key}-" if short else key[: KEY_LENGTH - 6])
        taken |= set(
            Touchpoint.objects.filter(suffixed, workspace_id=workspace_id).values_list(
                "key", flat=True
            )
        )
    free = []
    for key in keys:
        candidate, suffix = key, 2
        while candidate in taken:
            ending = f"-{suffix}"
            candidate, suffix = f"{key[: KEY_LENGTH - len(ending)]}{ending}", suffix + 1
        taken.add(candidate)
        free.append(candidate)
    return free


def drop_removed_lanes(fields: dict, journey) -> None:
    """Lane texts were checked against the journey's lanes before its lock was taken: a lane
    removed since (its texts removed by lane_values_remove) takes this one along too."""
    if "lane_values" in fields:
        live = set(custom_ids(journey.lanes))
        fields["lane_values"] = {
            lane_id: text for lane_id, text in fields["lane_values"].items() if lane_id in live
        }


@transaction.atomic
def touchpoint_create(*, stage: Stage, position: int | None = None, **fields) -> Touchpoint:
    journey = lock_journey(stage.journey_id)
    drop_removed_lanes(fields, journey)
    if not fields.get("key"):
        fields["key"] = touchpoint_free_key(workspace_id=journey.workspace_id, name=fields["name"])
    siblings = Touchpoint.objects.filter(stage=stage)
    position = ordering.clamp(position, siblings.count())
    ordering.open_gap(siblings, position)
    return Touchpoint.objects.create(
        workspace_id=journey.workspace_id,
        journey=journey,
        stage=stage,
        position=position,
        **fields,
    )


@transaction.atomic
def touchpoint_update(
    *,
    touchpoint: Touchpoint,
    version: int | None = None,
    stage: Stage | None = None,
    position: int | None = None,
    **fields,
) -> Touchpoint:
    """Edits fields and moves the touchpoint (to another stage of its journey and/or position)."""
    drop_removed_lanes(fields, lock_journey(touchpoint.journey_id))
    touchpoint.refresh_from_db()
    check_version(touchpoint.version, version)
    old_stage_id = touchpoint.stage_id
    if stage is not None or position is not None:
        touchpoint_move(touchpoint=touchpoint, stage=stage or touchpoint.stage, position=position)
    for name, value in fields.items():
        setattr(touchpoint, name, value)
    touchpoint.version += 1
    touchpoint.save()
    if touchpoint.stage_id != old_stage_id:
        journey_reshaped.send(sender=Touchpoint, journey_id=touchpoint.journey_id)
    return touchpoint


def touchpoint_move(*, touchpoint: Touchpoint, stage: Stage, position: int | None) -> None:
    """Renumbers the siblings of the old and new place; the caller holds the journey lock."""
    old_siblings = Touchpoint.objects.filter(stage_id=touchpoint.stage_id).exclude(pk=touchpoint.pk)
    if stage.pk == touchpoint.stage_id:
        if position is None:
            return  # its own stage named again, e.g. a client sending back what it read
        position = ordering.clamp(position, old_siblings.count())
        ordering.shift_within(old_siblings, touchpoint.position, position)
    else:
        ordering.close_gap(old_siblings, touchpoint.position)
        new_siblings = Touchpoint.objects.filter(stage=stage)
        position = ordering.clamp(position, new_siblings.count())
        ordering.open_gap(new_siblings, position)
        touchpoint.stage = stage
    touchpoint.position = position


@transaction.atomic
def touchpoint_delete(*, touchpoint: Touchpoint) -> None:
    lock_journey(touchpoint.journey_id)
    touchpoint.refresh_from_db(fields=["stage", "position"])
    touchpoint.delete()
    ordering.close_gap(Touchpoint.objects.filter(stage_id=touchpoint.stage_id), touchpoint.position)
    journey_reshaped.send(sender=Touchpoint, journey_id=touchpoint.journey_id)


def touchpoint_step(*, touchpoint: Touchpoint, direction: str) -> tuple[Stage, int]:
    """Where a keyboard move takes the touchpoint: up or down in its stage, or to the same
    position in the previous or next stage (staying put at either end)."""
    stages = list(Stage.objects.filter(journey_id=touchpoint.journey_id).order_by("position"))
    index = next(i for i, stage in enumerate(stages) if stage.pk == touchpoint.stage_id)
    if direction == "up":
        return stages[index], max(touchpoint.position - 1, 0)
    if direction == "down":
        return stages[index], touchpoint.position + 1
    index = max(index - 1, 0) if direction == "left" else min(index + 1, len(stages) - 1)
    return stages[index], touchpoint.position


def lane_values_remove(*, journey_id, lane_ids: list[str], **signal) -> None:
    """The values of removed custom lanes, out of the journey's touchpoints in one UPDATE (their
    versions bumped: what a client read has changed). Connected to journeys' lanes_removed."""
    Touchpoint.objects.filter(journey_id=journey_id, lane_values__has_any_keys=lane_ids).update(
        lane_values=RawSQL("lane_values - %s::text[]", [lane_ids]), version=F("version") + 1
    )
