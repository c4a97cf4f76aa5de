from django.core.management.base import BaseCommand, CommandError

from workspaces.models import ApiToken, Role, Workspace


class Command(BaseCommand):
    help = "Create an API token for a workspace; the token is printed alone on the last line."

    def add_arguments(self, parser):
        parser.add_argument("workspace_slug")
        parser.add_argument("--name", required=True)
        parser.add_argument("--role", required=True, choices=Role.values)

    def handle(self, *args, workspace_slug, name, role, **options):
        workspace = Workspace.objects.filter(slug=workspace_slug).first()
        if workspace is None:
            raise CommandError(f"No workspace {workspace_slug!r}.")
        token, raw = ApiToken.issue(workspace=workspace, name=name, role=role)
        self.stdout.write(f"Token {token.name!r} ({role}) for {workspace.slug}; it is shown once:")
        self.stdout.write(raw)
