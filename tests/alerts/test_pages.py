"""The pages: a journey's events, the follow button on the map, and the webhooks of the
workspace for its managers."""

from django.utils import timezone

from alerts.models import Delivery, Event, Follow, Webhook
from alerts.services import webhook_create

HTMX = {"HTTP_HX_REQUEST": "true"}
PUBLIC = "https://93.184.216.34/hook"


def test_the_events_page_lists_what_happened(viewer_client, outsider_client, journey, touchpoint):
    common = {
        "workspace_id": journey.workspace_id,
        "journey": journey,
        "created_at": timezone.now(),
    }
    Event.objects.create(
        type="moment.critical",
        data={
            "touchpoint": {"id": str(touchpoint.pk), "key": "checkout", "name": "Checkout"},
            "journey": {"id": str(journey.pk), "name": journey.name},
            "from": "at_risk",
            "to": "critical",
            "score": 31.2,
            "moments": ["fmot", "smot"],
        },
        **common,
    )
    Event.objects.create(
        type="customer.at_risk",
        data={"customer_ref": "C-42", "negative_count": 3, "touchpoints": []},
        **common,
    )
    url = f"/journeys/{journey.pk}/events/"
    page = viewer_client.get(url).content.decode()
    for text in (
        "Moment of truth critical",
        "Checkout",
        "FMOT",
        "SMOT",
        "At risk",
        "Critical",
        "31.2",
    ):
        assert text in page
    assert "C-42" in page and "3 bad experiences" in page
    filtered = viewer_client.get(url, {"type": "customer.at_risk"}).content.decode()
    assert "C-42" in filtered and "Checkout" not in filtered.split("<table")[1]
    assert outsider_client.get(url).status_code == 404


def test_the_map_links_its_events_and_follows_with_htmx(viewer_client, viewer, journey):
    page = viewer_client.get(f"/journeys/{journey.pk}/").content.decode()
    assert f'href="/journeys/{journey.pk}/events/"' in page
    assert 'aria-pressed="false"' in page

    answer = viewer_client.post(f"/journeys/{journey.pk}/follow/", **HTMX).content.decode()
    assert answer.lstrip().startswith("<form") and "Following" in answer
    assert Follow.objects.filter(user=viewer, journey=journey).exists()
    assert 'aria-pressed="true"' in viewer_client.get(f"/journeys/{journey.pk}/").content.decode()

    viewer_client.post(f"/journeys/{journey.pk}/unfollow/", **HTMX)
    assert not Follow.objects.exists()


def test_a_manager_adds_a_webhook_and_sees_its_secret_once(manager_client):
    page = manager_client.get("/settings/webhooks/").content.decode()
    assert "No webhooks yet." in page
    response = manager_client.post(
        "/settings/webhooks/", {"url": PUBLIC, "events": ["moment.critical"], "active": "on"}
    )
    assert response.status_code == 200
    webhook = Webhook.objects.get()
    assert webhook.secret in response.content.decode()
    assert webhook.events == ["moment.critical"]
    assert webhook.secret not in manager_client.get("/settings/webhooks/").content.decode()


def test_the_form_refuses_a_private_address(manager_client):
    response = manager_client.post(
        "/settings/webhooks/", {"url": "http://10.0.0.5/hook", "events": ["moment.critical"]}
    )
    assert response.status_code == 400
    assert "10.0.0.5 is a private, loopback or link-local address" in response.content.decode()
    assert not Webhook.objects.exists()


def test_a_webhook_page_edits_pings_and_deletes(manager_client, workspace):
    webhook, _ = webhook_create(workspace=workspace, url=PUBLIC, events=["moment.critical"])
    url = f"/settings/webhooks/{webhook.pk}/"
    assert manager_client.get(url).status_code == 200
    response = manager_client.post(url, {"url": PUBLIC, "events": ["customer.at_risk"]})
    assert response.status_code == 302
    webhook.refresh_from_db()
    assert (webhook.events, webhook.active) == (["customer.at_risk"], False)

    manager_client.post(f"{url}ping/")
    assert Delivery.objects.get().event.type == "ping"
    assert "ping" in manager_client.get(url).content.decode()
    assert manager_client.post(f"{url}delete/").status_code == 302
    assert not Webhook.objects.exists()


def test_webhooks_are_for_managers(analyst_client, outsider_client, workspace):
    webhook, _ = webhook_create(workspace=workspace, url=PUBLIC, events=["moment.critical"])
    assert analyst_client.get("/settings/webhooks/").status_code == 403
    assert analyst_client.post(f"/settings/webhooks/{webhook.pk}/delete/").status_code == 403
    assert outsider_client.get(f"/settings/webhooks/{webhook.pk}/").status_code == 404
    assert Webhook.objects.exists()


def test_the_events_pages_keep_the_chosen_type(viewer_client, journey):
    now = timezone.now()
    Event.objects.bulk_create(
        Event(
            workspace_id=journey.workspace_id,
            journey=journey,
            created_at=now,
            type="customer.at_risk",
            data={"customer_ref": f"C-{i}", "negative_count": 3, "touchpoints": []},
        )
        for i in range(51)
    )
    url = f"/journeys/{journey.pk}/events/"
    assert 'href="?page=2"' in viewer_client.get(url).content.decode()
    chosen = viewer_client.get(f"{url}?type=customer.at_risk").content.decode()
    assert 'href="?type=customer.at_risk&amp;page=2"' in chosen
    assert "Page 1 of 2" in chosen
