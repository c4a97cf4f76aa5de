"""Followers get a journey's critical moments of truth and new customers at risk by email: one
message, then nothing for an hour, then what happened meanwhile in one more."""

from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db.models import F

from alerts.email import email_followers
from alerts.models import Follow
from feedback.at_risk import at_risk_refresh_stale
from feedback.scoring import rescore_touchpoints
from journeys.services import journey_update
from tests.conftest import make_member, signed_in
from tests.feedback.health_data import freeze_now, ingest


@pytest.fixture(autouse=True)
def frozen(monkeypatch):
    freeze_now(monkeypatch)


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = "https://truthmap.example.com/"


@pytest.fixture
def follower(owner, manager_client, journey):
    owner.email = "alice@example.com"
    owner.save()
    assert manager_client.post(f"/journeys/{journey.pk}/follow/").status_code == 302
    return owner


def critical(workspace, touchpoint) -> None:
    ingest(workspace, [{"nps": 1}] * 5, touchpoint_key="checkout")
    rescore_touchpoints([touchpoint.pk])


def test_a_follower_gets_one_message_then_a_batch_an_hour_later(
    follower, workspace, journey, touchpoint, moment, viewer, mailoutbox
):
    critical(workspace, touchpoint)
    assert email_followers() == 1
    [message] = mailoutbox
    assert message.to == ["alice@example.com"]
    assert message.subject == "Online purchase: 1 moment of truth turned critical"
    assert "Checkout (FMOT) is critical: 0.0, was no data." in message.body
    assert f"https://truthmap.example.com/journeys/{journey.pk}/" in message.body
    html = message.alternatives[0][0]
    assert f'href="https://truthmap.example.com/journeys/{journey.pk}/"' in html

    # Within the hour: two customers become at risk; nothing is sent yet.
    for ref in ("ana", "ben"):
        ingest(workspace, [{"csat": 1}] * 3, touchpoint_key="checkout", customer_ref=ref)
    rescore_touchpoints([touchpoint.pk])
    at_risk_refresh_stale()
    assert email_followers() == 0
    assert len(mailoutbox) == 1

    Follow.objects.update(last_sent_at=F("last_sent_at") - timedelta(minutes=61))
    assert email_followers() == 1
    batch = mailoutbox[1]
    assert batch.subject == "Online purchase: 2 new customers at risk"
    assert "ana is at risk: 3 bad experiences (Checkout)" in batch.body
    assert "ben is at risk" in batch.body
    assert "Checkout (FMOT) is critical" not in batch.body  # told already
    assert email_followers() == 0


def test_followers_read_it_in_the_language_they_followed_in(
    workspace, journey, touchpoint, moment, analyst, mailoutbox
):
    analyst.email = "anna@example.com"
    analyst.save()
    signed_in(analyst).post(f"/journeys/{journey.pk}/follow/", HTTP_ACCEPT_LANGUAGE="es")
    critical(workspace, touchpoint)
    assert email_followers() == 1
    assert "se volvió crítico" in mailoutbox[0].subject


def test_no_message_without_an_address_a_membership_or_a_follow(
    workspace, other_workspace, journey, touchpoint, moment, mailoutbox
):
    member = make_member("nomail", workspace, "viewer")
    signed_in(member).post(f"/journeys/{journey.pk}/follow/")
    gone = make_member("gone", workspace, "viewer")
    gone.email = "gone@example.com"
    gone.save()
    signed_in(gone).post(f"/journeys/{journey.pk}/follow/")
    gone.memberships.all().delete()
    critical(workspace, touchpoint)
    assert email_followers() == 0
    assert mailoutbox == []


def test_an_outsider_cannot_follow(outsider_client, journey):
    assert outsider_client.post(f"/journeys/{journey.pk}/follow/").status_code == 404
    assert not Follow.objects.exists()


def test_email_url_says_how_mail_goes_out():
    from config.settings import email_settings

    assert email_settings("")["EMAIL_BACKEND"].endswith("console.EmailBackend")
    smtps = email_settings("smtps://alerts%40acme.com:p%3Ass@mail.acme.com")
    assert (smtps["EMAIL_HOST"], smtps["EMAIL_PORT"]) == ("mail.acme.com", 465)
    assert (smtps["EMAIL_HOST_USER"], smtps["EMAIL_HOST_PASSWORD"]) == ("alerts@acme.com", "p:ss")
    assert (smtps["EMAIL_USE_SSL"], smtps["EMAIL_USE_TLS"]) == (True, False)
    starttls = email_settings("smtp+starttls://mail.acme.com?timeout=20")
    assert (starttls["EMAIL_PORT"], starttls["EMAIL_USE_TLS"], starttls["EMAIL_TIMEOUT"]) == (
        587,
        True,
        20,
    )
    assert email_settings("smtp://relay:2525")["EMAIL_PORT"] == 2525
    with pytest.raises(ImproperlyConfigured):
        email_settings("mailto:someone@acme.com")


def test_members_follow_through_the_api_and_tokens_cannot(api, api_as, outsider_api, journey):
    url = f"/api/v1/journeys/{journey.pk}/follow/"
    assert api.post(url).json() == {"following": True}
    assert Follow.objects.count() == 1
    assert api.delete(url).status_code == 204
    assert not Follow.objects.exists()
    assert api_as("viewer").post(url).status_code == 403
    assert outsider_api.post(url).status_code == 404


def test_an_archived_journey_emails_no_one_until_unarchived(
    follower, workspace, journey, touchpoint, moment, mailoutbox
):
    journey_update(journey=journey, archived=True)
    critical(workspace, touchpoint)
    assert email_followers() == 0
    journey_update(journey=journey, archived=False)
    assert email_followers() == 1
    assert mailoutbox[0].subject == "Online purchase: 1 moment of truth turned critical"
