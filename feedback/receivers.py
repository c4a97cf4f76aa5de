"""What scoring does when the layers below it change: connected in FeedbackConfig.ready()."""

from django.db import connection, transaction
from django.db.models import QuerySet

from feedback import publishing, scoring
from feedback.at_risk import at_risk_mark_customers
from feedback.models import Feedback
from journeys.models import Journey
from touchpoints.models import Touchpoint
from workspaces.models import Workspace


def rescore_reshaped_journey(sender, *, journey_id, **kwargs) -> None:
    """Stage and journey health weigh touchpoints by their stage and their moments' impact:
    recomputed at once, in the edit's transaction, from the stored touchpoint scores."""
    scoring.rescore_journeys([journey_id])


def rescore_workspace(sender, *, workspace, **kwargs) -> None:
    """Every score of the workspace depends on its settings. Its touchpoints are marked dirty
    with the change, so a lost publish only delays the rescore until the sweep."""
    scoring.mark_dirty(Touchpoint.objects.filter(workspace=workspace).values_list("id", flat=True))
    transaction.on_commit(publishing.schedule_rescore)


def lock_touchpoint_against_ingestion(sender, *, instance, **kwargs) -> None:
    """Before a touchpoint's feedback is deleted with it: waits for the ingestion batches that
    locked it to commit, so that the cascade deletes their rows too (feedback has no foreign
    key, see Feedback.touchpoint)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM touchpoints_touchpoint WHERE id = %s FOR UPDATE", [instance.pk]
        )


def rescore_unarchived_journey(sender, *, journey_id, **kwargs) -> None:
    """The nightly rescore skips archived journeys: one coming back is scored again at once."""
    scoring.mark_dirty(
        Touchpoint.objects.filter(journey_id=journey_id).values_list("id", flat=True)
    )
    transaction.on_commit(publishing.schedule_rescore)


def mark_at_risk_customers_of_touchpoint(sender, *, instance, origin, **kwargs) -> None:
    """Before a touchpoint's feedback is deleted with it: its customers are found again at the
    next refresh. Not when its journey or workspace is deleted, which takes the reports along."""
    deleted = origin.model if isinstance(origin, QuerySet) else type(origin)
    if not issubclass(deleted, Journey | Workspace):  # a touchpoint, a stage, …
        at_risk_mark_customers(Feedback.objects.filter(touchpoint_id=instance.pk, is_negative=True))
