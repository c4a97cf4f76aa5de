from django.apps import AppConfig


class WorkspacesConfig(AppConfig):
    name = "workspaces"

    def ready(self):
        from workspaces import tokens  # noqa: F401 (its receivers forget changed tokens)
