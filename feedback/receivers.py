"""What scoring does when the layers below it change: connected in FeedbackConfig.ready()."""

from feedback import publishing, scoring, tasks


def rescore_reshaped_journey(sender, *, journey_id, **kwargs) -> None:
    """Stage and journey health weigh touchpoints by their stage and their moments' impact:
    recomputed at once, in the edit's transaction, from the stored touchpoint scores."""
    scoring.rescore_journeys([journey_id])


def rescore_workspace(sender, *, workspace, **kwargs) -> None:
    publishing.publish_on_commit(tasks.rescore_workspace_task, workspace.pk)
