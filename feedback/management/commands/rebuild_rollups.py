from django.core.management.base import BaseCommand, CommandError

from feedback.rollups import rollup_rebuild
from feedback.scoring import mark_dirty, rescore_dirty, snapshots_backfill
from touchpoints.models import Touchpoint
from workspaces.models import Workspace


class Command(BaseCommand):
    help = (
        "Rebuild the daily rollups from the raw feedback rows, then rescore. With --history-days, "
        "also rewrite that many days of daily snapshots (for the trend charts)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--workspace", help="slug; all workspaces when omitted")
        parser.add_argument("--history-days", type=int, default=0)

    def handle(self, *args, workspace, history_days, **options):
        workspaces = Workspace.objects.all()
        if workspace:
            workspaces = workspaces.filter(slug=workspace)
            if not workspaces:
                raise CommandError(f"No workspace {workspace!r}.")
        for ws in workspaces:
            touchpoint_ids = list(
                Touchpoint.objects.filter(workspace=ws).values_list("id", flat=True)
            )
            rows = rollup_rebuild(touchpoint_ids=touchpoint_ids)
            if history_days:
                snapshots_backfill(ws, days=history_days)
            mark_dirty(touchpoint_ids)
            self.stdout.write(f"{ws.slug}: {rows} rollup rows rebuilt.")
        scored = rescore_dirty()
        self.stdout.write(f"{scored} touchpoints rescored.")
