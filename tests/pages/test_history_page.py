"""A journey's history page: time, who, what and the changes, newest first, in pages."""

import re
from datetime import timedelta

from django.utils.formats import date_format
from django.utils.timezone import localtime

from journeys.models import JourneyEvent
from journeys.services import journey_update, stage_update
from touchpoints.services import touchpoint_create, touchpoint_update


def page(client, journey, data=None, **extra) -> str:
    response = client.get(f"/journeys/{journey.pk}/history/", data, **extra)
    assert response.status_code == 200
    return response.content.decode()


def rows(html: str) -> list[str]:
    """The table's rows, tags stripped and spaces squeezed."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        " ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in body.split("</tr>") if row.strip()
    ]


def test_the_map_links_to_its_history(manager_client, journey):
    html = manager_client.get(f"/journeys/{journey.pk}/").content.decode()
    assert f'href="/journeys/{journey.pk}/history/"' in html


def test_it_says_who_changed_what_newest_first(manager_client, journey, stages, touchpoint):
    stage_update(stage=stages[0], name="Research")  # as a command or a worker would
    edit = {"name": "Payment", "key": "checkout", "channel": "mobile_app", "expected_emotion": "1"}
    manager_client.post(f"/touchpoints/{touchpoint.pk}/edit/", edit)
    manager_client.post(f"/touchpoints/{touchpoint.pk}/move/", {"direction": "right"})

    listed = rows(page(manager_client, journey))
    assert listed[0].endswith("alice Changed Touchpoint Payment Stage Purchase → Experience")
    assert listed[1].endswith(
        "alice Changed Touchpoint Payment Name Checkout → Payment Channel Web → Mobile app "
        "Designed emotion 0 · neutral → +1 · pleased"
    )
    assert listed[2].endswith("System Changed Stage Research Name Discovery → Research")
    assert listed[3].endswith(
        "System Created Touchpoint Checkout Stage — → Purchase Key — → checkout "
        "Name — → Checkout Channel — → Web Position — → 1 Designed emotion — → 0 · neutral"
    )
    assert len(listed) == 4 + 7  # and the journey's creation with its six stages


def test_times_are_local(manager_client, journey, settings):
    settings.TIME_ZONE = "America/Bogota"  # UTC−5, all year
    at = JourneyEvent.objects.get().pgh_created_at
    shown = date_format(localtime(at), "SHORT_DATETIME_FORMAT")
    html = page(manager_client, journey)
    assert f'<time datetime="{localtime(at).isoformat()}">{shown}</time>' in html
    assert localtime(at).utcoffset() == timedelta(hours=-5)


def test_it_speaks_spanish(manager_client, journey, touchpoint):
    stage_update(stage=journey.stages.get(position=0), name="Research")
    html = page(manager_client, journey, HTTP_ACCEPT_LANGUAGE="es")
    assert "<h1>Historial</h1>" in html
    listed = rows(html)
    assert listed[0].endswith("Sistema Cambio Etapa Research Nombre Discovery → Research")
    assert "Creación Punto de contacto Checkout Etapa — → Purchase" in listed[1]


def test_a_deleted_touchpoint_stays_listed(manager_client, journey, touchpoint):
    manager_client.post(f"/touchpoints/{touchpoint.pk}/delete/")
    assert rows(page(manager_client, journey))[0].endswith(
        "alice Deleted Touchpoint Checkout Stage Purchase → — Key checkout → — Name Checkout → — "
        "Channel Web → — Position 1 → — Designed emotion 0 · neutral → —"
    )


def test_it_pages(manager_client, journey, stages):
    for i in range(50):
        touchpoint_create(stage=stages[0], name=f"T{i}", key=f"t{i}")
    first = page(manager_client, journey)
    assert len(rows(first)) == 50
    assert "Page 1 of 2" in first and 'href="?page=2"' in first
    second = page(manager_client, journey, {"page": 2})
    assert len(rows(second)) == 7
    assert rows(second)[-1].endswith(
        "System Created Journey Online purchase Name — → Online purchase Persona — → Shopper"
        " Lanes — → Channel · Pain points · Opportunities"
    )


def test_viewers_read_it_and_others_do_not_find_it(viewer_client, outsider_client, journey):
    assert rows(page(viewer_client, journey))
    assert outsider_client.get(f"/journeys/{journey.pk}/history/").status_code == 404


def test_it_reads_a_constant_number_of_queries(
    manager_client, journey, stages, django_assert_num_queries
):
    # The session, its user, their roles, the journey; the count, the page, the stages' names;
    # the layout's workspace and memberships.
    touchpoint_create(stage=stages[0], name="First")
    with django_assert_num_queries(9):
        page(manager_client, journey)
    for i in range(30):
        touchpoint = touchpoint_create(stage=stages[i % 6], name=f"T{i}", key=f"t{i}")
        stage_update(stage=stages[(i + 1) % 6], name=f"Stage {i}")
    manager_client.post(f"/touchpoints/{touchpoint.pk}/delete/")
    with django_assert_num_queries(9):
        page(manager_client, journey)


def test_lane_texts_are_shown_under_their_lanes_titles(manager_client, journey, touchpoint):
    lanes = [{"id": "kpis", "title": "KPIs"}, {"id": "gone", "title": "Removed later"}]
    journey_update(journey=journey, lanes=lanes)
    touchpoint_update(touchpoint=touchpoint, lane_values={"kpis": "4%", "gone": "x"})
    journey_update(journey=journey, lanes=lanes[:1])  # a removed lane keeps its id in the past
    listed = rows(page(manager_client, journey))
    assert listed[1].endswith(
        "Changed Touchpoint Checkout Custom lanes gone: x · KPIs: 4% → KPIs: 4%"
    )
    assert listed[2].endswith("Changed Touchpoint Checkout Custom lanes — → gone: x · KPIs: 4%")
