"""Gapless `position` sequences (0, 1, 2, …) among siblings, kept with set-based updates.

Callers hold a lock on the journey row, so two edits of one journey never interleave.
"""

from django.db.models import F, QuerySet


def clamp(position: int | None, size: int) -> int:
    """Where an item lands among `size` siblings: None or too far means the end."""
    if position is None or position > size:
        return size
    return max(position, 0)


def open_gap(siblings: QuerySet, position: int) -> None:
    siblings.filter(position__gte=position).update(position=F("position") + 1)


def close_gap(siblings: QuerySet, position: int) -> None:
    siblings.filter(position__gt=position).update(position=F("position") - 1)


def shift_within(siblings: QuerySet, old: int, new: int) -> None:
    """Make room at `new` for the item leaving `old`, among the same siblings."""
    if new < old:
        siblings.filter(position__gte=new, position__lt=old).update(position=F("position") + 1)
    elif new > old:
        siblings.filter(position__gt=old, position__lte=new).update(position=F("position") - 1)
