"""What the map page gives its layout and keyboard behaviour: the panel's close answered with
nothing to swap, the emotion curve's stage bands, the controls' names and the full texts."""

import json
import re

from touchpoints.services import touchpoint_create

CLOSE = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "panel-slot"}


def test_closing_the_panel_answers_nothing_to_swap(manager_client, journey, touchpoint):
    response = manager_client.get(f"/journeys/{journey.pk}/", **CLOSE)
    assert response.status_code == 200
    assert response.content == b""
    assert "HX-Target" in response["Vary"]
    page = manager_client.get(f"/touchpoints/{touchpoint.pk}/").content.decode()
    close = re.search(r'<a href="([^"]+)" hx-get="([^"]+)" hx-target="#panel-slot"', page)
    assert close.groups() == (f"/journeys/{journey.pk}/",) * 2


def test_closing_a_panel_of_another_workspace_is_404(outsider_client, journey):
    assert outsider_client.get(f"/journeys/{journey.pk}/", **CLOSE).status_code == 404


def test_the_emotion_curve_knows_the_stages_bands(manager_client, journey, stages):
    touchpoint_create(stage=stages[0], name="Ad")
    touchpoint_create(stage=stages[0], name="Search")
    touchpoint_create(stage=stages[3], name="Unboxing")
    page = manager_client.get(f"/journeys/{journey.pk}/").content.decode()
    data = re.search(r'id="emotion-curve-data" type="application/json">(.*?)</script>', page)
    curve = json.loads(data.group(1))
    assert curve["names"] == ["Ad", "Search", "Unboxing"]
    assert curve["measured"] == [None, None, None]
    assert curve["stages"] == [
        {"name": stage.name, "size": size}
        for stage, size in zip(stages, (2, 0, 0, 1, 0, 0), strict=True)
    ]


def test_long_names_carry_their_full_text_and_controls_their_names(manager_client, stages):
    name = "A" * 150
    touchpoint = touchpoint_create(stage=stages[0], name=name)
    page = manager_client.get(f"/journeys/{stages[0].journey_id}/").content.decode()
    assert f'id="tp-name-{touchpoint.pk}" title="{name}"' in page
    assert f'title="{stages[0].name}"' in page
    assert f'aria-label="Fold the stage {stages[0].name}"' in page
    assert '<a class="skip-link" href="#board">Skip to the board</a>' in page
    assert 'aria-describedby="board-keys"' in page and "Alt with an arrow key moves it." in page


def test_a_viewer_is_not_told_of_moving_keys(viewer_client, journey, touchpoint):
    page = viewer_client.get(f"/journeys/{journey.pk}/").content.decode()
    assert "Enter opens one and Esc closes it." in page
    assert "Alt with an arrow key moves it." not in page
