"""The sentence that explains a touchpoint's score (docs/health.md): which components make
it, how they are combined, and which are left out and why. A pure function of the stored
components and the workspace's settings."""

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from feedback.scoring import COMPONENTS
from journeys.models import Band

COMPONENT_LABELS = {
    "nps": gettext_lazy("NPS"),
    "csat": gettext_lazy("CSAT"),
    "ces": gettext_lazy("CES"),
    "sentiment": gettext_lazy("Sentiment"),
    "resolution": gettext_lazy("Resolution"),
}


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
