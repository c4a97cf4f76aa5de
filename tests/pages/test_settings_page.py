"""Workspace settings: name, scoring, members and roles, API tokens. Managers only."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from feedback import publishing, tasks
from feedback.models import DirtyTouchpoint
from tests.conftest import make_member
from workspaces.models import ApiToken, Membership, Role, hash_token

SCORING = {
    "window_days": 30,
    "min_responses": 3,
    "weight_nps": 2,
    "weight_csat": 1,
    "weight_ces": 0.5,
    "weight_sentiment": 0,
    "weight_resolution": 1,
    "at_risk_threshold": 4,
}


@pytest.fixture
def published(monkeypatch) -> list:
    calls = []
    monkeypatch.setattr(publishing, "publish", lambda task, *args, **kw: calls.append(task))
    return calls


def membership(user) -> Membership:
    return Membership.objects.get(user=user)


def post_urls(workspace, owner) -> list[tuple[str, dict]]:
    member = membership(owner).pk
    token, _ = ApiToken.issue(workspace=workspace, name="shop", role=Role.ANALYST)
    return [
        ("/settings/", {"name": "Renamed"}),
        ("/settings/scoring/", SCORING),
        ("/settings/members/invite/", {"email": "x@example.com", "role": "viewer"}),
        (f"/settings/members/{member}/role/", {"role": "viewer"}),
        (f"/settings/members/{member}/remove/", {}),
        ("/settings/tokens/create/", {"name": "x", "role": "viewer"}),
        (f"/settings/tokens/{token.pk}/revoke/", {}),
    ]


def test_it_asks_to_sign_in(client, workspace):
    assert client.get("/settings/").status_code == 302


def test_it_shows_the_settings_to_a_manager(manager_client, workspace, analyst):
    ApiToken.issue(workspace=workspace, name="Survey tool", role=Role.ANALYST)

    response = manager_client.get("/settings/")

    page = response.content.decode()
    assert response.status_code == 200
    for section in ('id="name"', 'id="scoring"', 'id="members"', 'id="tokens"'):
        assert section in page
    assert 'value="Acme"' in page
    assert 'name="weight_resolution"' in page
    assert "anna" in page
    assert "Survey tool" in page
    assert "<script>" not in page


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ANALYST])
def test_only_managers_see_the_settings(client, workspace, role):
    client.force_login(make_member("someone", workspace, role))

    assert client.get("/settings/").status_code == 403


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ANALYST])
def test_only_managers_change_settings(client, workspace, owner, published, role):
    client.force_login(make_member("someone", workspace, role))

    for url, data in post_urls(workspace, owner):
        assert client.post(url, data).status_code == 403, url

    workspace.refresh_from_db()
    assert workspace.name == "Acme"
    assert workspace.window_days == 90
    assert membership(owner).role == Role.MANAGER
    assert ApiToken.objects.active().count() == 1
    assert published == []


def test_a_user_without_a_workspace_gets_404(client, db):
    client.force_login(get_user_model().objects.create_user("loner"))

    assert client.get("/settings/").status_code == 404


def test_it_renames_the_workspace(manager_client, workspace):
    response = manager_client.post("/settings/", {"name": "Acme Retail"})

    assert response.status_code == 302
    assert response["Location"] == "/settings/#name"
    workspace.refresh_from_db()
    assert workspace.name == "Acme Retail"


def test_it_validates_the_name(manager_client, workspace):
    response = manager_client.post("/settings/", {"name": ""})

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_it_saves_the_scoring_settings_and_rescores(
    manager_client, workspace, touchpoint, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post("/settings/scoring/", SCORING)

    assert response.status_code == 302
    workspace.refresh_from_db()
    assert workspace.window_days == 30
    assert workspace.min_responses == 3
    assert workspace.weights == {
        "nps": 2,
        "csat": 1,
        "ces": 0.5,
        "sentiment": 0,
        "resolution": 1,
    }
    assert workspace.at_risk_threshold == 4
    # Its touchpoints wait in the database for the rescore, which a lost publish only delays.
    assert list(DirtyTouchpoint.objects.values_list("touchpoint_id", flat=True)) == [touchpoint.pk]
    assert published == [tasks.rescore_dirty_task]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"window_days": 0}, "greater than or equal to 1"),
        ({"min_responses": ""}, "This field is required."),
        ({"weight_csat": -1}, "greater than or equal to 0"),
        ({"at_risk_threshold": "many"}, "Enter a whole number."),
        (
            {f"weight_{name}": 0 for name in ("nps", "csat", "ces", "sentiment", "resolution")},
            "At least one weight must be above zero.",
        ),
    ],
)
def test_it_validates_the_scoring_settings(manager_client, workspace, published, changes, message):
    response = manager_client.post("/settings/scoring/", {**SCORING, **changes})

    assert response.status_code == 400
    assert message in response.content.decode()
    workspace.refresh_from_db()
    assert workspace.window_days == 90
    assert published == []


def invite(client, email="new.person@example.com", role="analyst"):
    return client.post("/settings/members/invite/", {"email": email, "role": role})


def invitation_link(mail) -> str:
    return re.search(r"https?://\S+/invitations/\S+/", mail.body).group(0)


def test_a_manager_invites_by_email_and_the_person_creates_an_account(
    manager_client, workspace, mailoutbox
):
    assert invite(manager_client).status_code == 302
    (mail,) = mailoutbox
    assert mail.to == ["new.person@example.com"]
    assert "Acme" in mail.subject and "alice invites you" in mail.body
    link = invitation_link(mail)
    assert not Membership.objects.filter(workspace=workspace, role=Role.ANALYST).exists()

    newcomer = Client()
    page = newcomer.get(link)
    assert page.status_code == 200 and "Join Acme" in page.content.decode()
    response = newcomer.post(
        link,
        {
            "username": "nadia",
            "password1": "a long pass phrase 42",
            "password2": "a long pass phrase 42",
        },
    )
    assert response.status_code == 302
    user = get_user_model().objects.get(username="nadia")
    assert user.email == "new.person@example.com"
    assert Membership.objects.get(workspace=workspace, user=user).role == Role.ANALYST
    assert newcomer.get("/").status_code == 200  # signed in, in the workspace
    # The link works once.
    assert Client().get(link).status_code == 404


def test_someone_with_an_account_accepts_while_signed_in(
    manager_client, workspace, outsider, outsider_client, mailoutbox
):
    invite(manager_client, email="mallory@example.com", role="viewer")
    link = invitation_link(mailoutbox[0])
    assert outsider_client.post(link).status_code == 302
    assert Membership.objects.get(workspace=workspace, user=outsider).role == Role.VIEWER


def test_nobody_learns_whether_a_username_exists_nor_joins_without_consent(
    manager_client, workspace, outsider, mailoutbox
):
    response = manager_client.post(
        "/settings/members/invite/", {"email": "mallory", "role": "viewer"}
    )
    assert response.status_code == 400  # an email address, not a username
    assert invite(manager_client, email="someone@example.com").status_code == 302
    assert not Membership.objects.filter(workspace=workspace, user=outsider).exists()


def test_a_withdrawn_or_expired_invitation_cannot_be_used(manager_client, workspace, mailoutbox):
    from django.utils import timezone

    from workspaces.models import Invitation

    invite(manager_client)
    invite(manager_client, email="late@example.com")
    first, second = (invitation_link(mail) for mail in mailoutbox)
    withdrawn = Invitation.objects.get(email="new.person@example.com")
    assert manager_client.post(f"/settings/invitations/{withdrawn.pk}/revoke/").status_code == 302
    Invitation.objects.filter(email="late@example.com").update(expires_at=timezone.now())
    for link in (first, second):
        response = Client().get(link)
        assert response.status_code == 404
        assert "cannot be used" in response.content.decode()


def test_the_settings_page_lists_the_invitations_waiting(manager_client, mailoutbox):
    invite(manager_client)
    page = manager_client.get("/settings/").content.decode()
    assert "new.person@example.com" in page and "Withdraw" in page


def test_it_changes_a_role(manager_client, analyst):
    response = manager_client.post(
        f"/settings/members/{membership(analyst).pk}/role/", {"role": "manager"}
    )

    assert response.status_code == 302
    assert membership(analyst).role == Role.MANAGER


def test_the_last_manager_cannot_step_down(manager_client, owner):
    response = manager_client.post(
        f"/settings/members/{membership(owner).pk}/role/", {"role": "viewer"}, follow=True
    )

    assert membership(owner).role == Role.MANAGER
    assert "The workspace needs at least one manager." in response.content.decode()


def test_a_manager_steps_down_when_another_remains(manager_client, owner, analyst):
    Membership.objects.filter(user=analyst).update(role=Role.MANAGER)

    response = manager_client.post(
        f"/settings/members/{membership(owner).pk}/role/", {"role": "viewer"}
    )

    assert membership(owner).role == Role.VIEWER
    assert response["Location"] == "/"  # the settings are no longer theirs to see


def test_it_removes_a_member(manager_client, workspace, analyst):
    response = manager_client.post(f"/settings/members/{membership(analyst).pk}/remove/")

    assert response.status_code == 302
    assert not Membership.objects.filter(user=analyst).exists()


def test_the_last_manager_cannot_leave(manager_client, owner):
    response = manager_client.post(f"/settings/members/{membership(owner).pk}/remove/", follow=True)

    assert Membership.objects.filter(user=owner).exists()
    assert "The workspace needs at least one manager." in response.content.decode()


def test_it_validates_ownership_of_members_and_tokens(manager_client, outsider, other_workspace):
    foreign_member = membership(outsider).pk
    token, _ = ApiToken.issue(workspace=other_workspace, name="theirs", role=Role.MANAGER)

    assert (
        manager_client.post(
            f"/settings/members/{foreign_member}/role/", {"role": "viewer"}
        ).status_code
        == 404
    )
    assert manager_client.post(f"/settings/members/{foreign_member}/remove/").status_code == 404
    assert manager_client.post(f"/settings/tokens/{token.pk}/revoke/").status_code == 404
    assert membership(outsider).role == Role.MANAGER
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_outsider_sees_only_their_own_workspace(outsider_client, workspace, analyst):
    ApiToken.issue(workspace=workspace, name="Acme shop", role=Role.ANALYST)

    page = outsider_client.get("/settings/").content.decode()

    assert 'value="Globex"' in page
    assert "anna" not in page
    assert "Acme shop" not in page


def test_a_new_token_is_shown_once_and_stored_hashed(manager_client, workspace, owner):
    response = manager_client.post(
        "/settings/tokens/create/", {"name": "Web shop", "role": "analyst"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/settings/#tokens"
    response = manager_client.get(response["Location"])

    page = response.content.decode()
    token = ApiToken.objects.get()
    raw = page.split('id="new-token-value" class="token-value" type="text" value="')[1].split('"')[
        0
    ]
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert raw.startswith("tm_") and len(raw) > 40
    assert token.token_hash == hash_token(raw)
    assert token.hint == raw[:10]
    assert raw not in str(ApiToken.objects.values().get())
    assert (token.workspace, token.name, token.role, token.created_by) == (
        workspace,
        "Web shop",
        Role.ANALYST,
        owner,
    )
    # A reload shows it no more and creates no second token.
    assert raw not in manager_client.get("/settings/").content.decode()
    assert ApiToken.objects.count() == 1


def test_it_validates_a_new_token(manager_client):
    response = manager_client.post("/settings/tokens/create/", {"name": "", "role": "boss"})

    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_it_revokes_a_token(manager_client, workspace):
    token, _ = ApiToken.issue(workspace=workspace, name="Old shop", role=Role.ANALYST)

    response = manager_client.post(f"/settings/tokens/{token.pk}/revoke/")

    assert response.status_code == 302
    assert response["Location"] == "/settings/#tokens"
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "Revoked" in manager_client.get("/settings/").content.decode()
