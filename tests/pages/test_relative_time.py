"""Relative times on pages: "just now" inside the first minute, never "0 minutes ago"."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from maps.templatetags.relative_time import ago


@pytest.mark.parametrize(
    ("seconds", "english", "spanish"),
    [
        (0, "just now", "ahora mismo"),
        (59, "just now", "ahora mismo"),
        (3 * 60 + 5, "3\xa0minutes ago", "hace 3\xa0minutos"),
        (26 * 3600, "1\xa0day, 2\xa0hours ago", "hace 1\xa0día, 2\xa0horas"),
    ],
)
def test_a_moment_reads_relative_to_now(seconds, english, spanish, monkeypatch):
    now = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: now)  # 59 s stays under the minute
    moment = now - timedelta(seconds=seconds)
    with translation.override("en"):
        assert ago(moment) == english
    with translation.override("es"):
        assert ago(moment) == spanish


def test_a_touchpoint_scored_a_moment_ago_says_just_now(client, owner, touchpoint):
    touchpoint.health_computed_at = timezone.now()
    touchpoint.save()
    client.force_login(owner)
    page = client.get(f"/touchpoints/{touchpoint.pk}/").content.decode()
    assert "scored just now" in page
    assert "0\xa0minutes" not in page
