"""The print view of a journey: the whole map for paper, without its controls."""

import re

import pytest

from touchpoints.models import Touchpoint
from touchpoints.services import touchpoint_create


def page(client, journey, **extra) -> str:
    response = client.get(f"/journeys/{journey.pk}/print/", **extra)
    assert response.status_code == 200
    return response.content.decode()


def sheet(html: str) -> str:
    """What goes on paper: the print sheet, without the layout and its toolbar."""
    return html.split('<article class="print-sheet"', 1)[1].rsplit("</article>", 1)[0]


@pytest.fixture
def scored(touchpoint, moment):
    Touchpoint.objects.filter(pk=touchpoint.pk).update(
        health_score=31.5, health_band="critical", health_n=12, pain_points="Card refused"
    )
    return touchpoint


def test_it_lays_out_the_whole_map(manager_client, journey, stages, scored):
    html = page(manager_client, journey)
    paper = sheet(html)
    assert "<h1>Online purchase</h1>" in paper
    assert "Persona: Shopper" in paper
    assert re.search(r'<time datetime="[^"]+">Printed [^<]+</time>', paper)
    for stage in stages:
        assert f'<h2 id="stage-name-{stage.pk}" title="{stage.name}">{stage.name}</h2>' in paper
    assert "Checkout" in paper and "31.5" in paper and "band-critical" in paper
    assert "FMOT" in paper
    assert "Pain points" in paper and "Card refused" in paper  # the lanes
    assert 'id="emotion-chart" data-chart="emotion"' in paper
    assert 'data-charts="static"' in html  # drawn once, as a picture, before anyone prints
    assert "css/print." in html and "js/charts." in html


def test_a_manager_gets_no_edit_controls_on_paper(manager_client, journey, scored):
    paper = sheet(page(manager_client, journey))
    for control in ("<form", "<input", "<select", "<details", "<button", "data-sortable"):
        assert control not in paper, control
    assert "Add touchpoint" not in paper and "data-chart-download" not in paper


def test_the_print_button_runs_from_a_static_file(manager_client, journey):
    html = page(manager_client, journey)
    assert '<button type="button" data-print>Print</button>' in html
    assert "onclick" not in html and "window.print" not in html


def test_the_map_links_to_it(manager_client, journey):
    html = manager_client.get(f"/journeys/{journey.pk}/").content.decode()
    assert f'<a href="/journeys/{journey.pk}/print/">Print or PDF (landscape)</a>' in html


def test_viewers_print_it_others_do_not_find_it(
    viewer_client, outsider_client, client, journey, scored
):
    assert "Checkout" in sheet(page(viewer_client, journey))
    assert outsider_client.get(f"/journeys/{journey.pk}/print/").status_code == 404
    response = client.get(f"/journeys/{journey.pk}/print/")
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_it_speaks_spanish(manager_client, journey):
    html = page(manager_client, journey, HTTP_ACCEPT_LANGUAGE="es")
    assert '<button type="button" data-print>Imprimir</button>' in html
    assert "Impreso el " in html and "Curva emocional" in html


def test_it_reads_a_constant_number_of_queries(
    manager_client, journey, stages, django_assert_num_queries
):
    # The map page's queries but whether the member follows the journey.
    touchpoint_create(stage=stages[0], name="First")
    with django_assert_num_queries(10):
        page(manager_client, journey)
    for i in range(30):
        touchpoint = touchpoint_create(stage=stages[i % 6], name=f"Touchpoint {i}")
        touchpoint.moments.create(type="fmot", impact=3)
    with django_assert_num_queries(10):
        page(manager_client, journey)
