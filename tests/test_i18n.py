"""Spanish: the catalogue is complete, and the pages speak it when the manager_client or the language
switcher asks for it. Journeys created while Spanish is active get Spanish default content."""

import ast
import gettext
import os
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import gettext as _

from journeys.models import Journey
from journeys.services import journey_create
from touchpoints.services import touchpoint_create

LOCALE_DIR = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES"
SPANISH_STAGES = [
    "Descubrimiento",
    "Consideración",
    "Compra",
    "Experiencia",
    "Fidelización",
    "Recomendación",
]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


# The catalogue


def _unquote(lines: list[str]) -> str:
    """A .po string, possibly over several lines; its escapes are Python's."""
    return "".join(ast.literal_eval(line) for line in lines)


def po_entries(path: Path) -> list[dict]:
    """The entries of a .po file: flags, msgctxt, msgid, msgid_plural and the msgstr(s), obsolete
    ones (#~) left out. Enough of the format for the files makemessages writes."""
    entries, entry, field = [], None, None
    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line:
            if entry is not None:
                entries.append(entry)
            entry, field = None, None
            continue
        if line.startswith("#~"):
            continue
        if entry is None:
            entry = {"flags": set(), "fields": {}}
        if line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry["fields"][field].append(line)
        else:
            field, _, rest = line.partition(" ")
            entry["fields"][field] = [rest]
    parsed = []
    for entry in entries:
        fields = {name: _unquote(lines) for name, lines in entry["fields"].items()}
        if "msgid" in fields:
            parsed.append({"flags": entry["flags"], **fields})
    return parsed


def untranslated(entries: list[dict]) -> list[str]:
    """The msgids with an empty msgstr (any plural form) or marked fuzzy: Django shows neither."""
    missing = []
    for entry in entries:
        strings = [value for name, value in entry.items() if name.startswith("msgstr")]
        if not strings or not all(strings) or "fuzzy" in entry["flags"]:
            missing.append(entry["msgid"])
    return missing


@pytest.fixture(scope="module")
def catalogue() -> list[dict]:
    path = LOCALE_DIR / "django.po"
    assert path.exists(), "run makemessages -l es"
    return [entry for entry in po_entries(path) if entry["msgid"]]


def test_the_compiled_catalogue_matches_the_po_file(catalogue):
    """django.mo is what Django reads: it must hold every translation of django.po."""
    with open(LOCALE_DIR / "django.mo", "rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    stale = []
    for entry in catalogue:
        if "msgid_plural" in entry:
            for n, form in ((1, "msgstr[0]"), (5, "msgstr[2]")):
                if compiled.ngettext(entry["msgid"], entry["msgid_plural"], n) != entry[form]:
                    stale.append(entry["msgid"])
        elif "msgctxt" in entry:
            if compiled.pgettext(entry["msgctxt"], entry["msgid"]) != entry["msgstr"]:
                stale.append(entry["msgid"])
        elif compiled.gettext(entry["msgid"]) != entry["msgstr"]:
            stale.append(entry["msgid"])
    assert stale == [], "run compilemessages -l es"


def test_every_entry_is_translated(catalogue):
    assert len(catalogue) > 100
    assert untranslated(catalogue) == []


# Not source code; makemessages skips the dot directories itself (.venv, .cache, .git).
NOT_SOURCE = {"locale", "var", "staticfiles", "node_modules", "test-results"}


@pytest.fixture
def makemessages(tmp_path, settings, monkeypatch):
    """Runs makemessages -l es over a source tree and answers the entries of the .po it wrote.
    It runs in a directory of links to the source beside a copy of the repository's locale/:
    makemessages writes to the locale/ above the files it reads, whatever LOCALE_PATHS says, so
    run in the repository it would rewrite the real catalogue."""
    if shutil.which("xgettext") is None:
        if os.getenv("CI"):
            pytest.fail("gettext is missing: apt-get install -y gettext")
        pytest.skip("gettext is not installed (apt-get install -y gettext)")

    def run(source: Path) -> list[dict]:
        tree = tmp_path / "tree"
        shutil.copytree(LOCALE_DIR.parent.parent, tree / "locale")
        for entry in source.iterdir():
            if entry.name not in NOT_SOURCE and not entry.name.startswith("."):
                (tree / entry.name).symlink_to(entry)
        settings.LOCALE_PATHS = [tree / "locale"]
        monkeypatch.chdir(tree)
        call_command("makemessages", locale=["es"], no_obsolete=True, symlinks=True, verbosity=0)
        path = tree / "locale" / "es" / "LC_MESSAGES" / "django.po"
        return [entry for entry in po_entries(path) if entry["msgid"]]

    return run


def test_every_string_of_the_code_has_its_spanish(makemessages):
    """The strings marked in the code now, not only those someone last extracted: a new
    {% translate %} without its Spanish entry fails here, named."""
    entries = makemessages(Path(settings.BASE_DIR))
    assert len(entries) > 100
    assert untranslated(entries) == [], "translate these in locale/es/LC_MESSAGES/django.po"


def test_a_string_without_spanish_is_named(makemessages, tmp_path):
    source = tmp_path / "source"
    (source / "templates").mkdir(parents=True)
    (source / "templates" / "page.html").write_text(
        '{% load i18n %}{% translate "Journeys" %} {% translate "A string nobody translated" %}'
    )
    assert untranslated(makemessages(source)) == ["A string nobody translated"]


def test_plural_entries_have_every_form(catalogue):
    plurals = [entry for entry in catalogue if "msgid_plural" in entry]
    assert plurals
    for entry in plurals:
        assert {"msgstr[0]", "msgstr[1]", "msgstr[2]"} <= entry.keys(), entry["msgid"]


def test_translations_keep_the_placeholders(catalogue):
    """Every %(name)s of the English text is in the Spanish one, and no other: a lost or renamed
    placeholder raises KeyError at run time or drops a number from the page."""
    wrong = []
    for entry in catalogue:
        english = set(PLACEHOLDER.findall(entry["msgid"] + entry.get("msgid_plural", "")))
        for name, spanish in entry.items():
            if not name.startswith("msgstr"):
                continue
            found = set(PLACEHOLDER.findall(spanish))
            # A singular may leave out the count ("un día" for "%(days)s day").
            if not found <= english or (name in ("msgstr", "msgstr[2]") and found != english):
                wrong.append((entry["msgid"], name, spanish))
    assert wrong == []


def test_the_domain_vocabulary():
    with translation.override("es"):
        assert _("Journeys") == "Recorridos"
        assert _("Touchpoint") == "Punto de contacto"
        assert _("Zero moment of truth (ZMOT)") == "Momento cero de la verdad (ZMOT)"
        assert _("Less-than-zero moment") == "Momento inferior a cero"
        assert _("At risk") == "En riesgo"
        assert _("Healthy") == "Saludable"
        assert _("Critical") == "Crítico"
        assert _("Pain points") == "Puntos de dolor"
        assert _("Import feedback") == "Importar opiniones"


# The pages


@pytest.fixture
def spanish_journey(workspace):
    with translation.override("es"):
        journey = journey_create(workspace=workspace, name="Compra en tienda", persona="Cliente")
    stages = list(journey.stages.order_by("position"))
    touchpoint_create(stage=stages[0], name="Escaparate", key="escaparate", channel="store")
    return journey


def test_default_stages_are_named_in_the_active_language(spanish_journey, journey):
    names = list(spanish_journey.stages.order_by("position").values_list("name", flat=True))
    assert names == SPANISH_STAGES
    english = list(journey.stages.order_by("position").values_list("name", flat=True))
    assert english[0] == "Discovery"


def test_the_dashboard_in_spanish(manager_client, journey):
    page = manager_client.get("/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<html lang="es">' in page
    assert "Recorridos" in page
    assert "Recorridos del cliente" in page
    assert "Nuevo recorrido" in page
    assert "Crear recorrido" in page
    assert "clientes en riesgo" in page
    assert "Cerrar sesión" in page
    assert "New journey" not in page


def test_the_dashboard_stays_english_by_default(manager_client, journey):
    page = manager_client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "New journey" in page
    assert "Recorridos" not in page


def test_the_journey_map_in_spanish(manager_client, journey, touchpoint, spanish_journey):
    page = manager_client.get(
        f"/journeys/{journey.pk}/", HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    assert "Añadir punto de contacto" in page
    assert "Salud del recorrido" in page
    assert "Puntos de dolor" in page
    assert "Oportunidades" in page
    assert "Curva emocional" in page
    assert "Primer momento de la verdad (FMOT)" in page  # the moment filter
    assert "Centro de contacto" in page  # the channels
    assert "Add touchpoint" not in page

    page = manager_client.get(f"/journeys/{spanish_journey.pk}/", HTTP_ACCEPT_LANGUAGE="es")
    text = page.content.decode()
    for name in SPANISH_STAGES:
        assert name in text


def test_a_template_journey_is_created_in_spanish(manager_client, workspace):
    response = manager_client.post(
        "/journeys/new/",
        {"name": "Prueba", "persona": "Visitante", "start_from": "online-purchase"},
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert response.status_code == 302
    journey = Journey.objects.get(workspace=workspace, name="Prueba")
    stages = list(journey.stages.order_by("position").values_list("name", flat=True))
    assert stages == SPANISH_STAGES
    names = set(journey.stages.values_list("touchpoints__name", flat=True))
    assert {"Búsqueda web", "Página de producto", "Entrega a domicilio"} <= names


def test_the_language_switcher(manager_client, journey):
    assert "New journey" in manager_client.get("/").content.decode()
    response = manager_client.post("/i18n/setlang/", {"language": "es", "next": "/"})
    assert response.status_code == 302
    page = manager_client.get("/").content.decode()
    assert '<html lang="es">' in page
    assert "Nuevo recorrido" in page
    assert '<option value="es" selected>' in page

    manager_client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "New journey" in manager_client.get("/").content.decode()
