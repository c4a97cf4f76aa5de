"""What the touchpoint panel shows; shared by every view that renders it.

A fixed number of queries whatever the volume of feedback or moments: the moments, the snapshot
history, one aggregate for the NPS distribution and the latest comments.
"""

from datetime import UTC, datetime, time, timedelta

from django.db.models import Count
from django.http import HttpRequest
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from feedback.models import Feedback
from feedback.scoring import COMPONENTS, window_start
from feedback.selectors import touchpoint_health_detail
from journeys.models import Band
from moments.forms import MomentTagForm
from moments.models import MOMENT_DEFINITIONS, MOMENT_SHORT_LABELS, MomentType
from touchpoints.forms import EMOTION_CHOICES, TouchpointEditForm
from touchpoints.models import Touchpoint
from workspaces.access import can
from workspaces.models import Workspace

COMPONENT_LABELS = {
    "nps": gettext_lazy("NPS"),
    "csat": gettext_lazy("CSAT"),
    "ces": gettext_lazy("CES"),
    "sentiment": gettext_lazy("Sentiment"),
    "resolution": gettext_lazy("Resolution"),
}
COMPONENT_HINTS = {
    "nps": gettext_lazy("(promoters − detractors) mapped to 0–100"),
    "csat": gettext_lazy("share of 4 and 5 answers"),
    "ces": gettext_lazy("mean effort, 7 = very easy"),
    "sentiment": gettext_lazy("mean tone of the comments"),
    "resolution": gettext_lazy("share of contacts resolved"),
}
MOMENT_ORDER = list(MomentType)
LATEST_COMMENTS = 5


def panel_context(request: HttpRequest, touchpoint: Touchpoint, form=None, tag_form=None) -> dict:
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
            "nps": nps_distribution(touchpoint, workspace),
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


def nps_distribution(touchpoint: Touchpoint, workspace: Workspace) -> dict:
    """How many answers gave each NPS value 0–10 in the scoring window (whole UTC days, as the
    score reads them), in one aggregate query."""
    today = timezone.now().date()
    start = datetime.combine(window_start(workspace, today) + timedelta(days=1), time.min, UTC)
    end = datetime.combine(today + timedelta(days=1), time.min, UTC)
    counts = dict(
        Feedback.objects.filter(
            touchpoint=touchpoint, occurred_at__gte=start, occurred_at__lt=end, nps__isnull=False
        )
        .values("nps")
        .annotate(n=Count("id"))
        .values_list("nps", "n")
        .order_by()
    )
    y = [counts.get(value, 0) for value in range(11)]
    total = sum(y)
    groups = {"detractors": sum(y[:7]), "passives": sum(y[7:9]), "promoters": sum(y[9:])}
    return {
        "x": list(range(11)),
        "y": y,
        "total": total,
        "shares": {
            name: round(count / total * 100) if total else 0 for name, count in groups.items()
        },
        "nps": _signed(round((groups["promoters"] - groups["detractors"]) / total * 100))
        if total
        else None,
        "labels": {
            "responses": _("Responses"),
            "detractors": _("Detractors (0–6)"),
            "passives": _("Passives (7–8)"),
            "promoters": _("Promoters (9–10)"),
        },
    }


def latest_comments(touchpoint: Touchpoint) -> list[Feedback]:
    return list(
        Feedback.objects.filter(touchpoint=touchpoint)
        .exclude(comment="")
        .order_by("-occurred_at", "-id")
        .only(
            "occurred_at",
            "customer_ref",
            "nps",
            "csat",
            "ces",
            "sentiment",
            "outcome",
            "comment",
            "source",
        )[:LATEST_COMMENTS]
    )


# The sentence that explains a score.


def explain_score(
    *,
    score: float | None,
    band: str,
    components: dict[str, dict],
    weights: dict[str, float],
    min_responses: int,
    n: int = 0,
    window_days: int = 90,
) -> str:
    """One plain sentence: which components make the score, how they are combined, and which are
    left out and why. `components` is the stored {name: {value, n, counts}}."""
    present = [(name, components[name]) for name in COMPONENTS if name in components]
    counting = [(name, c) for name, c in present if c["counts"] and weights.get(name, 1)]
    weightless = [name for name, c in present if c["counts"] and not weights.get(name, 1)]
    short = [(name, c) for name, c in present if not c["counts"]]

    if not present:
        if n:
            return ngettext(
                "No score yet: the one response of the last %(days)s days has no NPS, CSAT, "
                "CES, sentiment or outcome.",
                "No score yet: none of the %(n)s responses of the last %(days)s days has an NPS, "
                "CSAT, CES, sentiment or outcome.",
                n,
            ) % {"n": n, "days": window_days}
        return _("No score yet: no feedback in the last %(days)s days.") % {"days": window_days}

    if score is None:
        reasons = []
        if short:
            reasons.append(
                ngettext(
                    "%(items)s has fewer than the %(min)s responses needed to count",
                    "%(items)s have fewer than the %(min)s responses needed to count",
                    len(short),
                )
                % {"items": _join(_with_counts(short)), "min": min_responses}
            )
        if weightless:
            reasons.append(_weightless_clause(weightless))
        return _("No score yet: %(reasons)s.") % {"reasons": "; ".join(reasons)}

    head = {"score": _number(score), "band": str(Band(band).label).lower()}
    if not counting:
        main = _("Score %(score)s (%(band)s)") % head
    elif len(counting) == 1:
        name, component = counting[0]
        main = _(
            "Score %(score)s (%(band)s): %(component)s alone, %(value)s from %(responses)s"
        ) % {
            **head,
            "component": COMPONENT_LABELS[name],
            "value": _number(component["value"]),
            "responses": _responses(component["n"]),
        }
    elif len({weights.get(name, 1) for name, _c in counting}) == 1:
        items = _join(_with_counts(counting, values=True))
        main = _("Score %(score)s (%(band)s): the mean of %(items)s with equal weights") % {
            **head,
            "items": items,
        }
    else:
        items = _join(_with_counts(counting, values=True, weights=weights))
        main = _("Score %(score)s (%(band)s): the weighted mean of %(items)s") % {
            **head,
            "items": items,
        }

    clauses = [main]
    if len(short) == 1:
        name, component = short[0]
        clauses.append(
            _("%(component)s is left out: %(responses)s, fewer than the %(min)s needed")
            % {
                "component": COMPONENT_LABELS[name],
                "responses": _responses(component["n"]),
                "min": min_responses,
            }
        )
    elif short:
        clauses.append(
            _("%(items)s are left out: fewer than the %(min)s responses needed")
            % {"items": _join(_with_counts(short)), "min": min_responses}
        )
    if weightless:
        clauses.append(_weightless_clause(weightless))
    return "; ".join(clauses) + "."


def _signed(value: int) -> str:
    return f"{value:+d}".replace("-", "−") if value else "0"


def _number(value: float, decimals: int = 1) -> str:
    return formats.number_format(value, decimal_pos=decimals)


def _weight(value: float) -> str:
    return formats.number_format(int(value) if value == int(value) else value)


def _responses(n: int) -> str:
    return ngettext("%(n)s response", "%(n)s responses", n) % {"n": n}


def _join(items: list[str]) -> str:
    if len(items) == 1:
        return items[0]
    return _("%(items)s and %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}


def _with_counts(parts, values: bool = False, weights: dict | None = None) -> list[str]:
    """ "NPS 55.0 (48 responses)", "CSAT 70.0 (40)": the unit is said once, on the first."""
    items = []
    for index, (name, component) in enumerate(parts):
        count = _responses(component["n"]) if index == 0 else str(component["n"])
        if weights is not None:
            count = _("%(count)s, weight %(weight)s") % {
                "count": count,
                "weight": _weight(weights[name]),
            }
        label = COMPONENT_LABELS[name]
        if values:
            label = f"{label} {_number(component['value'])}"
        items.append(f"{label} ({count})")
    return items


def _weightless_clause(names: list[str]) -> str:
    return ngettext(
        "%(items)s is left out: its weight is 0",
        "%(items)s are left out: their weight is 0",
        len(names),
    ) % {"items": _join([str(COMPONENT_LABELS[name]) for name in names])}
