from django.apps import AppConfig


class TouchpointsConfig(AppConfig):
    name = "touchpoints"

    def ready(self):
        from journeys.signals import lanes_removed
        from touchpoints.services import lane_values_remove

        lanes_removed.connect(lane_values_remove)
