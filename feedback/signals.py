"""What scoring tells the layers above it, which connect in their AppConfig.ready(). Each is sent
inside the transaction of the rescore or the at-risk refresh that made the change, so what a
receiver writes commits, or rolls back, with it."""

from typing import NamedTuple

from django.dispatch import Signal


class BandChange(NamedTuple):
    id: object  # the touchpoint's or journey's id
    old: str
    new: str
    score: float | None


# Sent with `changes`, a list of `BandChange`, when a rescore changed touchpoints' bands.
touchpoint_bands_changed = Signal()

# Sent with `changes`, a list of `BandChange`, when a rescore changed journeys' bands.
journey_bands_changed = Signal()

# Sent with `journey_id`, `window` (feedback.window.Window) and `customers`, a list of
# (customer_ref, negative_count), when a refresh found customers at risk who were not before.
customers_at_risk = Signal()
