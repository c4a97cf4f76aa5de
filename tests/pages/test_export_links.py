"""The export links of the map page (Export ▾: the journey document, the Mermaid diagram, the
touchpoints and the feedback as CSV) and of the at-risk page (CSV): each one followed, as the
signed-in browser follows it, answers what it says."""

import csv
import io
import re

import pytest

from tests.api.test_journey_documents import document, imported

LINK = re.compile(r'<a [^>]*href="([^"]+)" download="([^"]+)">([^<]+)</a>')


def links(page: str) -> dict[str, tuple[str, str]]:
    """{label: (href, download name)} of the page's download links."""
    return {label: (href.replace("&amp;", "&"), name) for href, name, label in LINK.findall(page)}


@pytest.fixture
def onboarding(api):
    return imported(api, document())


def test_the_map_offers_every_export(viewer_client, onboarding):
    page = viewer_client.get(f"/journeys/{onboarding.pk}/").content.decode()
    found = links(page)
    assert set(found) == {
        "Journey document (JSON)",
        "Mermaid diagram",
        "Touchpoints with health (CSV)",
        "Feedback (CSV)",
    }
    expected = {
        "Journey document (JSON)": ("application/json", "onboarding.truthmap.json"),
        "Mermaid diagram": ("text/plain; charset=utf-8", "onboarding.mmd"),
        "Touchpoints with health (CSV)": ("text/csv; charset=utf-8", "onboarding-touchpoints.csv"),
        "Feedback (CSV)": ("text/csv; charset=utf-8", "onboarding-feedback.csv"),
    }
    for label, (href, name) in found.items():
        # What a browser sends when it follows a link.
        response = viewer_client.get(href, HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")
        assert response.status_code == 200, label
        assert (response["Content-Type"], name) == expected[label], label
    body = viewer_client.get(found["Journey document (JSON)"][0]).json()
    assert body == document()
    body = b"".join(viewer_client.get(found["Touchpoints with health (CSV)"][0]).streaming_content)
    assert len(list(csv.reader(io.StringIO(body.decode())))) == 4  # a header, three touchpoints


def test_the_map_in_spanish(viewer_client, onboarding):
    page = viewer_client.get(f"/journeys/{onboarding.pk}/", HTTP_ACCEPT_LANGUAGE="es")
    assert "Exportar" in page.content.decode()
    assert "Diagrama Mermaid" in links(page.content.decode())


def test_the_at_risk_page_offers_its_csv(viewer_client, journey):
    page = viewer_client.get(f"/journeys/{journey.pk}/at-risk/").content.decode()
    ((href, name),) = links(page).values()
    assert name == "online-purchase-at-risk.csv"
    response = viewer_client.get(href)
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert b"".join(response.streaming_content).startswith(b"customer_ref,negative_count")
