"""webhooks/: managers create, read, change and delete them; the secret is generated and shown
once; URLs to private, loopback and link-local addresses are refused unless allowed."""

import pytest
from django.conf import settings
from django.utils import translation

from alerts.models import Delivery, Webhook
from alerts.services import webhook_create

PUBLIC = "https://93.184.216.34/truthmap"  # a literal public address: no DNS needed


@pytest.fixture
def webhook(workspace):
    webhook, _ = webhook_create(workspace=workspace, url=PUBLIC, events=["moment.critical"])
    return webhook


def test_a_manager_creates_one_and_sees_its_secret_once(api, workspace):
    response = api.post("/api/v1/webhooks/", {"url": PUBLIC}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["secret"].startswith("whsec_") and len(body["secret"]) > 40
    assert body["workspace"] == "acme"
    assert body["active"] is True
    assert body["events"] == [
        "touchpoint.band_changed",
        "moment.critical",
        "journey.band_changed",
        "customer.at_risk",
    ]
    webhook = Webhook.objects.get()
    assert webhook.secret == body["secret"]
    again = api.get(f"/api/v1/webhooks/{webhook.pk}/").json()
    assert "secret" not in again
    assert "secret" not in api.get("/api/v1/webhooks/").json()["results"][0]


def test_a_secret_given_is_kept_and_never_shown(api):
    response = api.post(
        "/api/v1/webhooks/",
        {"url": PUBLIC, "events": ["customer.at_risk"], "secret": "s" * 32, "active": False},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["secret"] == "s" * 32
    webhook = Webhook.objects.get()
    assert (webhook.events, webhook.active, webhook.secret) == (
        ["customer.at_risk"],
        False,
        "s" * 32,
    )


def test_it_changes_and_deletes_one(api, webhook):
    url = f"/api/v1/webhooks/{webhook.pk}/"
    response = api.patch(url, {"events": ["journey.band_changed"], "active": False}, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["events"], response.json()["active"]) == (
        ["journey.band_changed"],
        False,
    )
    assert api.patch(url, {"secret": "n" * 20}, format="json").status_code == 200
    assert Webhook.objects.get().secret == "n" * 20
    assert api.delete(url).status_code == 204
    assert not Webhook.objects.exists()


@pytest.mark.parametrize(
    "payload",
    [{"events": []}, {"events": ["ping"]}, {"events": ["nonsense"]}, {"secret": "short"}],
)
def test_it_refuses_invalid_fields(api, payload):
    response = api.post("/api/v1/webhooks/", {"url": PUBLIC, **payload}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == set(payload)


@pytest.mark.parametrize("role", ["viewer", "analyst"])
def test_other_roles_may_not_touch_webhooks(api_as, webhook, role):
    client = api_as(role)
    url = f"/api/v1/webhooks/{webhook.pk}/"
    assert client.post("/api/v1/webhooks/", {"url": PUBLIC}, format="json").status_code == 403
    assert client.patch(url, {"active": False}, format="json").status_code == 403
    assert client.delete(url).status_code == 403
    assert client.post(f"{url}test/").status_code == 403
    assert client.get(url).status_code == 403
    assert client.get(f"{url}deliveries/").status_code == 403
    assert client.get("/api/v1/webhooks/").status_code == 403
    assert Webhook.objects.get().active is True


def test_the_refusal_is_told_in_the_callers_language(api_as):
    client = api_as("analyst")
    with translation.override(settings.LANGUAGE_CODE):  # the request leaves its language behind
        response = client.get("/api/v1/webhooks/", HTTP_ACCEPT_LANGUAGE="es")
        spanish = "Esto requiere el rol de gestor en el espacio de trabajo."
        assert (response.status_code, response.json()) == (403, {"detail": spanish})
        response = client.get("/api/v1/webhooks/")
        english = "This needs the manager role in the workspace."
        assert (response.status_code, response.json()) == (403, {"detail": english})


def test_another_workspace_webhook_does_not_exist(outsider_api, webhook):
    url = f"/api/v1/webhooks/{webhook.pk}/"
    for response in (
        outsider_api.get(url),
        outsider_api.patch(url, {"active": False}, format="json"),
        outsider_api.delete(url),
        outsider_api.post(f"{url}test/"),
        outsider_api.get(f"{url}deliveries/"),
    ):
        assert response.status_code == 404
    assert outsider_api.get("/api/v1/webhooks/").json()["results"] == []


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://127.0.0.1/hook", "127.0.0.1 is a private, loopback or link-local address"),
        ("http://10.1.2.3/hook", "10.1.2.3 is a private"),
        ("http://169.254.169.254/latest/meta-data", "169.254.169.254 is a private"),
        ("http://[::1]:8080/hook", "::1 is a private"),
        ("http://[::ffff:127.0.0.1]/hook", "is a private"),
        ("http://localhost:8000/hook", "localhost resolves to"),
        ("ftp://93.184.216.34/hook", "Only http and https"),
    ],
)
def test_private_addresses_are_refused(api, url, message):
    response = api.post("/api/v1/webhooks/", {"url": url}, format="json")
    assert response.status_code == 400
    assert message in response.json()["url"][0]
    assert not Webhook.objects.exists()


def test_a_patch_is_checked_too(api, webhook):
    response = api.patch(
        f"/api/v1/webhooks/{webhook.pk}/", {"url": "http://192.168.1.10/"}, format="json"
    )
    assert response.status_code == 400
    assert Webhook.objects.get().url == PUBLIC


def test_private_addresses_are_taken_when_allowed(api, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    response = api.post("/api/v1/webhooks/", {"url": "http://localhost:8000/hook"}, format="json")
    assert response.status_code == 201, response.content


def test_a_test_queues_a_ping_and_deliveries_list_it(api, webhook):
    response = api.post(f"/api/v1/webhooks/{webhook.pk}/test/")
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["event"]["type"] == "ping"
    assert (body["status"], body["attempts"]) == ("pending", [])
    [listed] = api.get(f"/api/v1/webhooks/{webhook.pk}/deliveries/").json()["results"]
    assert listed["id"] == body["id"] == Delivery.objects.get().pk
    assert set(listed) == {
        "id",
        "event",
        "status",
        "created_at",
        "delivered_at",
        "next_attempt_at",
        "attempts",
    }
