from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from feedback.demo import demo_feedback_load
from maps.blueprints import BLUEPRINTS, journey_create_from_blueprint
from workspaces.models import Membership, Role, Workspace

DEMO_USERS = [("demo", Role.MANAGER), ("analyst", Role.ANALYST), ("viewer", Role.VIEWER)]
DEMO_JOURNEYS = ["online-purchase", "customer-service"]  # the ones its feedback is tuned for


class Command(BaseCommand):
    help = "Create the demo workspace, its users and journeys. Running it again changes nothing."

    @transaction.atomic
    def handle(self, *args, **options):
        workspace, _ = Workspace.objects.get_or_create(slug="demo", defaults={"name": "Demo"})
        for username, role in DEMO_USERS:
            user, created = get_user_model().objects.get_or_create(username=username)
            if created:
                user.set_password(username)
                user.save()
            Membership.objects.get_or_create(
                workspace=workspace, user=user, defaults={"role": role}
            )
        existing = set(workspace.journeys.values_list("name", flat=True))
        for blueprint in (BLUEPRINTS[name] for name in DEMO_JOURNEYS):
            if blueprint["name"] not in existing:
                journey_create_from_blueprint(
                    workspace=workspace, blueprint=blueprint, tagged_by="demo"
                )
        added = demo_feedback_load(workspace)
        self.stdout.write(f"Demo ready: workspace 'demo' ({added} feedback records added).")
        self.stdout.write("Sign in as demo / demo.")
