from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "feedback"

    def ready(self) -> None:
        from feedback import receivers
        from journeys.signals import journey_reshaped, journey_unarchived
        from workspaces.signals import scoring_settings_changed

        journey_reshaped.connect(receivers.rescore_reshaped_journey)
        journey_unarchived.connect(receivers.rescore_unarchived_journey)
        scoring_settings_changed.connect(receivers.rescore_workspace)
