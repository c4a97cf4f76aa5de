from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_slug

from workspaces.models import Membership, Role, Workspace


class Command(BaseCommand):
    help = "Create a workspace, optionally with an existing user as its manager."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--name", required=True)
        parser.add_argument("--owner", help="username of an existing user, made manager")

    def handle(self, *args, slug, name, owner, **options):
        try:
            validate_slug(slug)
        except ValidationError:
            raise CommandError(
                f"{slug!r} is not a valid slug (letters, digits, - and _)."
            ) from None
        if Workspace.objects.filter(slug=slug).exists():
            raise CommandError(f"Workspace {slug!r} already exists.")
        user = None
        if owner:
            user = get_user_model().objects.filter(username=owner).first()
            if user is None:
                raise CommandError(f"No user named {owner!r}.")
        workspace = Workspace.objects.create(slug=slug, name=name)
        if user is not None:
            Membership.objects.create(workspace=workspace, user=user, role=Role.MANAGER)
        self.stdout.write(f"Created workspace {workspace.slug} ({workspace.name}).")
