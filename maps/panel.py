"""What the touchpoint panel shows: its health explained, charts, moments of truth, comments and
the forms of whoever may edit or tag. A fixed number of queries whatever the volume of feedback
or moments."""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from feedback.explanation import COMPONENT_LABELS, explain_score
from feedback.scoring import COMPONENTS
from feedback.selectors import latest_comments, nps_counts, touchpoint_health_detail
from journeys.lanes import BUILT_IN
from journeys.models import Band
from moments.forms import MomentTagForm
from moments.models import MOMENT_DEFINITIONS, MOMENT_SHORT_LABELS, MomentType
from touchpoints.forms import EMOTION_CHOICES, TouchpointEditForm
from touchpoints.models import Touchpoint
from workspaces.access import can
from workspaces.models import Workspace

COMPONENT_HINTS = {
    "nps": gettext_lazy("(promoters − detractors) mapped to 0–100"),
    "csat": gettext_lazy("share of 4 and 5 answers"),
    "ces": gettext_lazy("mean effort, 7 = very easy"),
    "sentiment": gettext_lazy("mean tone of the comments"),
    "resolution": gettext_lazy("share of contacts resolved"),
}
MOMENT_ORDER = list(MomentType)


def panel_context(
    request: HttpRequest,
    touchpoint: Touchpoint,
    form=None,
    tag_form=None,
    conflict=None,
    saved: bool = False,
) -> dict:
    workspace = touchpoint.workspace
    permissions = can(request, touchpoint.workspace_id)
    moments = sorted(touchpoint.moments.all(), key=lambda m: MOMENT_ORDER.index(m.type))
    for moment in moments:
        moment.definition = MOMENT_DEFINITIONS[moment.type]
    used_types = {moment.type for moment in moments}
    if not permissions["tag"] or (tag_form is None and len(used_types) == len(MomentType)):
        tag_form = None  # nothing left to tag; a form with errors is shown even then
    else:
        tag_form = tag_form or MomentTagForm(touchpoint=touchpoint)
        tag_form.offer_only_free_types(used_types)
    if permissions["edit"] and form is None:
        form = TouchpointEditForm(instance=touchpoint)
    health = touchpoint_health_detail(touchpoint)
    return {
        "touchpoint": touchpoint,
        "can": permissions,
        "edit_form": form if permissions["edit"] else None,
        "tag_form": tag_form,
        "conflict": conflict,
        "saved": saved,
        "panel": {
            "moments": moments,
            "glossary": [
                {
                    "type": value,
                    "label": label,
                    "short": MOMENT_SHORT_LABELS[value],
                    "definition": MOMENT_DEFINITIONS[value],
                }
                for value, label in MomentType.choices
            ],
            "health": health,
            "min_responses": workspace.min_responses,
            "impact_scale": range(1, 6),
            "emotion": dict(EMOTION_CHOICES)[touchpoint.expected_emotion],
            "lane_values": [
                (lane["title"], touchpoint.lane_values.get(lane["id"], ""))
                for lane in touchpoint.journey.lanes
                if lane["id"] not in BUILT_IN
            ],
            "components": component_rows(health["components"], workspace),
            "explanation": explain_score(
                score=health["score"],
                band=health["band"],
                components=health["components"],
                weights=workspace.weights,
                min_responses=workspace.min_responses,
                n=health["n"],
                window_days=health["window_days"],
            ),
            "history": history_chart(health["history"]),
            "nps": nps_chart(nps_counts(touchpoint)),
            "comments": latest_comments(touchpoint),
        },
    }


def component_rows(components: dict, workspace: Workspace) -> list[dict]:
    """All five components in a fixed order, the absent ones with n = 0."""
    weights = workspace.weights
    rows = []
    for name in COMPONENTS:
        component = components.get(name) or {"value": None, "n": 0, "counts": False}
        rows.append(
            {
                "name": name,
                "label": COMPONENT_LABELS[name],
                "hint": COMPONENT_HINTS[name],
                "value": component["value"],
                "n": component["n"],
                "counts": component["counts"] and bool(weights[name]),
                "weight": weights[name],
                "short": not component["counts"],
            }
        )
    return rows


def history_chart(history: list[dict]) -> dict:
    return {
        "x": [point["date"].isoformat() for point in history],
        "y": [point["score"] for point in history],
        "bands": [point["band"] for point in history],
        "band_labels": {value: str(label) for value, label in Band.choices},
        "labels": {"score": _("Health score")},
    }


def nps_chart(counts: list[int]) -> dict:
    """The distribution of NPS answers 0–10, with the shares of each group and the NPS."""
    total = sum(counts)
    groups = {
        "detractors": sum(counts[:7]),
        "passives": sum(counts[7:9]),
        "promoters": sum(counts[9:]),
    }
    nps = round((groups["promoters"] - groups["detractors"]) / total * 100) if total else None
    return {
        "x": list(range(11)),
        "y": counts,
        "total": total,
        "shares": {
            name: round(count / total * 100) if total else 0 for name, count in groups.items()
        },
        "nps": None if nps is None else signed(nps),
        "labels": {
            "responses": _("Responses"),
            "detractors": _("Detractors (0–6)"),
            "passives": _("Passives (7–8)"),
            "promoters": _("Promoters (9–10)"),
        },
    }


def signed(value: int) -> str:
    """+12, −8, 0: the sign always written, with a true minus."""
    return f"{value:+d}".replace("-", "−") if value else "0"
