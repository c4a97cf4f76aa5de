"""What alerting does when scoring changes something: connected in AlertsConfig.ready(), called
inside the rescore's or the at-risk refresh's transaction."""

from alerts import events


def record_touchpoint_changes(sender, *, changes, **kwargs) -> None:
    events.events_for_touchpoints(changes=changes)


def record_journey_changes(sender, *, changes, **kwargs) -> None:
    events.events_for_journeys(changes=changes)


def record_customers_at_risk(sender, *, journey_id, window, customers, **kwargs) -> None:
    events.events_for_customers(journey_id=journey_id, window=window, customers=customers)
