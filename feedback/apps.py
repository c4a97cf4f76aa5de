from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "feedback"

    def ready(self) -> None:
        from django.db.models.signals import pre_delete

        from feedback import receivers
        from journeys.signals import journey_reshaped, journey_unarchived
        from touchpoints.models import Touchpoint
        from workspaces.signals import scoring_settings_changed

        journey_reshaped.connect(receivers.rescore_reshaped_journey)
        journey_unarchived.connect(receivers.rescore_unarchived_journey)
        scoring_settings_changed.connect(receivers.rescore_workspace)
        pre_delete.connect(receivers.lock_touchpoint_against_ingestion, sender=Touchpoint)
        pre_delete.connect(receivers.mark_at_risk_customers_of_touchpoint, sender=Touchpoint)
