"""Tagging: every change of a moment of truth is said to the layers above, because moment impact
weighs its touchpoint in stage and journey health."""

from django.db import transaction

from journeys.signals import journey_reshaped
from moments.models import Moment
from touchpoints.models import Touchpoint


@transaction.atomic
def moment_tag(
    *, touchpoint: Touchpoint, type: str, impact: int = 3, rationale: str = "", tagged_by: str = ""
) -> Moment:
    moment = Moment.objects.create(
        touchpoint=touchpoint, type=type, impact=impact, rationale=rationale, tagged_by=tagged_by
    )
    journey_reshaped.send(sender=Moment, journey_id=touchpoint.journey_id)
    return moment


@transaction.atomic
def moment_update(*, moment: Moment, **fields) -> Moment:
    for name, value in fields.items():
        setattr(moment, name, value)
    moment.save()
    journey_reshaped.send(sender=Moment, journey_id=moment.touchpoint.journey_id)
    return moment


@transaction.atomic
def moment_untag(*, moment: Moment) -> None:
    moment.delete()
    journey_reshaped.send(sender=Moment, journey_id=moment.touchpoint.journey_id)
