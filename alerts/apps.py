from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "alerts"

    def ready(self) -> None:
        from alerts import receivers
        from feedback.signals import (
            customers_at_risk,
            journey_bands_changed,
            touchpoint_bands_changed,
        )

        touchpoint_bands_changed.connect(receivers.record_touchpoint_changes)
        journey_bands_changed.connect(receivers.record_journey_changes)
        customers_at_risk.connect(receivers.record_customers_at_risk)
