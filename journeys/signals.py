"""What the journey apps tell the layers above them, which connect in their AppConfig.ready()."""

from django.dispatch import Signal

# Sent with `journey_id` inside the transaction of an edit that changes how the journey's
# touchpoints weigh in its stage and journey health: a touchpoint moved to another stage or
# deleted, a stage deleted, a moment of truth tagged, changed or removed.
journey_reshaped = Signal()

# Sent with `journey_id` inside the transaction that unarchives a journey, whose scores the
# nightly rescore skipped while it was archived.
journey_unarchived = Signal()

# Sent with `journey_id` and `lane_ids` inside the transaction that removes custom lanes from a
# journey: their values on its touchpoints go with them.
lanes_removed = Signal()
