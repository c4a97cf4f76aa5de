from django.db import transaction
from django.utils import timezone

from config.errors import StaleVersion
from journeys import ordering
from journeys.lanes import custom_ids, default_lanes
from journeys.models import CLASSIC_STAGE_KINDS, Journey, Stage, StageKind
from journeys.signals import journey_reshaped, journey_unarchived, lanes_removed
from workspaces.models import Workspace


def lock_journey(journey_id) -> Journey:
    return Journey.objects.select_for_update().get(pk=journey_id)


@transaction.atomic
def journey_create(
    *,
    workspace: Workspace,
    name: str,
    persona: str = "",
    persona_goals: str = "",
    persona_frustrations: str = "",
    description: str = "",
    lanes: list[dict] | None = None,
    stages: list[dict] | None = None,
) -> Journey:
    """A new journey, with the given stages or the six classic ones."""
    journey = Journey.objects.create(
        workspace=workspace,
        name=name,
        persona=persona,
        persona_goals=persona_goals,
        persona_frustrations=persona_frustrations,
        description=description,
        lanes=default_lanes() if lanes is None else lanes,
    )
    if stages is None:
        stages = [{"name": str(kind.label), "kind": kind.value} for kind in CLASSIC_STAGE_KINDS]
    Stage.objects.bulk_create(
        Stage(
            journey=journey,
            name=stage["name"],
            kind=stage.get("kind") or StageKind.CUSTOM,
            position=position,
        )
        for position, stage in enumerate(stages)
    )
    return journey


@transaction.atomic
def stage_create(
    *, journey: Journey, name: str, kind: str = StageKind.CUSTOM, position: int | None = None
) -> Stage:
    lock_journey(journey.pk)
    siblings = Stage.objects.filter(journey=journey)
    position = ordering.clamp(position, siblings.count())
    ordering.open_gap(siblings, position)
    return Stage.objects.create(journey=journey, name=name, kind=kind, position=position)


@transaction.atomic
def stage_update(*, stage: Stage, position: int | None = None, **fields) -> Stage:
    lock_journey(stage.journey_id)
    stage.refresh_from_db(fields=["position"])
    siblings = Stage.objects.filter(journey_id=stage.journey_id).exclude(pk=stage.pk)
    if position is not None:
        position = ordering.clamp(position, siblings.count())
        ordering.shift_within(siblings, stage.position, position)
        stage.position = position
    for name, value in fields.items():
        setattr(stage, name, value)
    stage.save()
    return stage


@transaction.atomic
def stage_delete(*, stage: Stage) -> None:
    """Deletes the stage with its touchpoints, and closes the gap it leaves."""
    lock_journey(stage.journey_id)
    stage.refresh_from_db(fields=["position"])
    stage.delete()
    ordering.close_gap(Stage.objects.filter(journey_id=stage.journey_id), stage.position)
    journey_reshaped.send(sender=Stage, journey_id=stage.journey_id)


def check_version(current: int, expected: int | None) -> None:
    if expected is not None and expected != current:
        raise StaleVersion(current)


@transaction.atomic
def journey_update(
    *, journey: Journey, version: int | None = None, archived: bool | None = None, **fields
) -> Journey:
    """Saves the fields; `archived` archives (keeping the first date) or unarchives it. A custom
    lane left out of new `lanes` takes its values on the touchpoints with it."""
    journey = lock_journey(journey.pk)
    check_version(journey.version, version)
    if "lanes" in fields:
        removed = set(custom_ids(journey.lanes)) - set(custom_ids(fields["lanes"]))
        if removed:
            lanes_removed.send(sender=Journey, journey_id=journey.pk, lane_ids=sorted(removed))
    for name, value in fields.items():
        setattr(journey, name, value)
    unarchived = archived is False and journey.archived
    if archived is not None and archived != journey.archived:
        journey.archived_at = timezone.now() if archived else None
    journey.version += 1
    journey.save()
    if unarchived:
        journey_unarchived.send(sender=Journey, journey_id=journey.pk)
    return journey
