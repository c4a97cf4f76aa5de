"""Journey templates (docs/api.md, "Templates"): GET journey-templates/ lists the ready-made
journeys with their documents, in the language of the request; a journey starts from one by
importing its document."""

from rest_framework.test import APIClient

from journeys.forms import START_CHOICES
from maps.blueprints import BLUEPRINTS
from maps.documents import validate_document
from tests.api.test_journey_documents import IMPORT, export, imported

URL = "/api/v1/journey-templates/"
NAMES = [
    "Online purchase",
    "Customer service — five moments",
    "Contact-centre support",
    "SaaS onboarding",
]


def test_the_templates_with_their_stages_and_touchpoints(api_as):
    body = api_as("viewer").get(URL).json()
    assert body["count"] == 4 and body["next"] is None
    assert [template["name"] for template in body["results"]] == NAMES
    for template in body["results"]:
        document = template["document"]
        assert validate_document(document) == document
        touchpoints = [tp for stage in document["stages"] for tp in stage["touchpoints"]]
        assert len(touchpoints) >= 5
        assert any(tp["moments"] for tp in touchpoints)
        if template["id"] in ("contact-centre-support", "saas-onboarding"):
            assert len(touchpoints) >= 10
            assert all(
                tp["owner"] and tp["pain_points"] and tp["opportunities"] for tp in touchpoints
            )
            assert all(m["rationale"] for tp in touchpoints for m in tp["moments"])
            assert len({tp["channel"] for tp in touchpoints}) >= 4


def test_a_journey_starts_from_a_template_by_importing_its_document(api):
    template = api.get(URL + "saas-onboarding/").json()
    assert template["id"] == "saas-onboarding"
    document = template["document"]
    document["journey"]["name"] = "Our onboarding"
    response = api.post(IMPORT, document, format="json")
    assert response.status_code == 201
    assert response.json()["name"] == "Our onboarding"
    journey = response.json()["id"]
    assert api.get(f"/api/v1/journeys/{journey}/export/").json() == document


def test_the_templates_speak_the_language_of_the_request(api):
    body = api.get(URL, HTTP_ACCEPT_LANGUAGE="es").json()
    names = [template["name"] for template in body["results"]]
    assert names == [
        "Compra online",
        "Atención al cliente — cinco momentos",
        "Soporte del centro de contacto",
        "Incorporación a un SaaS",
    ]
    saas = body["results"][3]["document"]
    assert saas["stages"][0]["name"] == "Descubrimiento"
    assert saas["stages"][0]["touchpoints"][0]["name"] == "Página de aterrizaje del sitio web"


def test_unknown_template_and_no_credentials(api):
    assert api.get(URL + "nope/").status_code == 404
    assert api.get(URL + "nope/").json() == {"detail": "No such journey template."}
    assert APIClient().get(URL).status_code == 401
    assert api.post(URL, {}, format="json").status_code == 405


def test_the_dashboard_offers_every_template():
    assert set(BLUEPRINTS) <= {value for value, _label in START_CHOICES}


def test_a_template_imported_twice_gets_free_keys(api):
    document = api.get(URL + "contact-centre-support/").json()["document"]
    first = export(api, imported(api, document))
    second = export(api, imported(api, document))
    assert first == document
    keys = [tp["key"] for stage in second["stages"] for tp in stage["touchpoints"]]
    assert keys[0] == "help-centre-2"
