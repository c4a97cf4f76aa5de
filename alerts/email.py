"""Emails to the members who follow a journey: its critical moments of truth and new customers
at risk, at most one message per journey and member an hour, holding everything that happened
since the last one. Sent after the events commit and swept every minute by beat, which sends
what waited for the hour to pass."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.db.models.functions import Now
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from alerts.models import EMAILED, Event, EventType, Follow
from alerts.selectors import event_rows
from workspaces.models import Membership

log = logging.getLogger(__name__)

EMAIL_INTERVAL = timedelta(hours=1)
LISTED = 50
FOLLOWS_PER_SWEEP = 500


def pending_events(follow: Follow):
    return Event.objects.filter(
        journey_id=follow.journey_id, type__in=EMAILED, id__gt=follow.last_event_id
    )


def due_follows():
    """Follows with something new to tell, whose last message is an hour old, of members with
    an email address who still belong to the journey's workspace, of journeys not archived."""
    return Follow.objects.filter(
        Q(last_sent_at__isnull=True) | Q(last_sent_at__lte=Now() - EMAIL_INTERVAL),
        Exists(
            Event.objects.filter(
                journey_id=OuterRef("journey_id"),
                type__in=EMAILED,
                id__gt=OuterRef("last_event_id"),
            )
        ),
        Exists(
            Membership.objects.filter(
                user_id=OuterRef("user_id"), workspace_id=OuterRef("journey__workspace_id")
            )
        ),
        journey__archived_at__isnull=True,
    ).exclude(user__email="")


def email_followers() -> int:
    """Sends every due message; returns how many. A message that fails (the mail server down,
    an address refused) is tried again at the next sweep."""
    sent = 0
    for follow_id in due_follows().values_list("id", flat=True)[:FOLLOWS_PER_SWEEP]:
        try:
            sent += email_follower(follow_id)
        except Exception:
            log.exception("Could not email the follower %s; the next sweep tries again.", follow_id)
    return sent


def email_follower(follow_id: int) -> bool:
    """One follower's message, if still due. The row stays locked while the message goes out,
    so two workers never send it twice."""
    with transaction.atomic():
        follow = (
            due_follows()
            .filter(pk=follow_id)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("user", "journey")
            .first()
        )
        if follow is None:
            return False
        events = pending_events(follow)
        counts = events.aggregate(
            critical=Count("id", filter=Q(type=EventType.MOMENT_CRITICAL)),
            at_risk=Count("id", filter=Q(type=EventType.CUSTOMER_AT_RISK)),
            last=Max("id"),
        )
        listed = list(events.order_by("id")[:LISTED])
        with translation.override(follow.language):
            message = digest(follow, listed, counts)
        message.send()
        Follow.objects.filter(pk=follow.pk).update(last_sent_at=Now(), last_event_id=counts["last"])
    return True


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def digest(follow: Follow, events: list[Event], counts: dict) -> EmailMultiAlternatives:
    journey = follow.journey
    what = []
    if counts["critical"]:
        what.append(
            ngettext(
                "%(count)s moment of truth turned critical",
                "%(count)s moments of truth turned critical",
                counts["critical"],
            )
            % {"count": counts["critical"]}
        )
    if counts["at_risk"]:
        what.append(
            ngettext(
                "%(count)s new customer at risk",
                "%(count)s new customers at risk",
                counts["at_risk"],
            )
            % {"count": counts["at_risk"]}
        )
    context = {
        "journey": journey,
        "what": what,
        "events": event_rows(events),
        "more": counts["critical"] + counts["at_risk"] - len(events),
        "map_url": absolute(reverse("maps:map", args=[journey.pk])),
        "events_url": absolute(reverse("alerts:events", args=[journey.pk])),
    }
    message = EmailMultiAlternatives(
        subject=_("%(journey)s: %(what)s") % {"journey": journey.name, "what": "; ".join(what)},
        body=render_to_string("alerts/email/digest.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[follow.user.email],
    )
    message.attach_alternative(render_to_string("alerts/email/digest.html", context), "text/html")
    return message
