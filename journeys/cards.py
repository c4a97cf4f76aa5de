"""The touchpoint cards of the journey map, rendered in Python.

The map page's profile put most of a 300-card map in the template engine, about 30 nodes a card;
one format string a card takes a tenth of that. The card's markup lives here only, and the board
partial of journeys/map.html places the cards."""

import uuid
from html import escape

from django.urls import reverse
from django.utils.formats import get_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from journeys.models import BAND_LABELS
from moments.models import MOMENT_SHORT_LABELS, MomentType
from touchpoints.models import CHANNEL_ICONS, CHANNEL_LABELS

NO_ID = uuid.UUID(int=0)

CARD = (
    '<article class="touchpoint{classes}" data-touchpoint="{pk}" data-move-url="{move_url}">'
    '<div class="row"><a class="name" href="{detail_url}" hx-get="{detail_url}"'
    ' hx-target="#panel-slot" hx-push-url="true">{name}</a>'
    '<span class="pill band-{band}" title="{band_name}">{score}</span></div>'
    '<div class="meta"><span title="{channel_name}" aria-hidden="true">{channel_icon}</span>'
    "<span>{channel_name}</span>{owner}</div>{badges}{move_form}</article>"
)
BADGE = '<span class="badge moment-{}" title="{}">{}</span>'
MOVE_FORM = (
    '<form class="move" method="post" action="{move_url}" hx-post="{move_url}"'
    ' hx-target="#board" hx-swap="outerHTML" aria-label="{label}">{csrf_input}{buttons}</form>'
)
MOVE_BUTTON = '<button class="icon" name="direction" value="{}" aria-label="{}">{}</button>'


def cards_render(touchpoints: list, *, selected_pk, can_edit: bool, csrf_input: str) -> None:
    """Sets each touchpoint's `html`. Every value goes through html.escape; format_html's
    per-argument checks cost more than the rest."""
    detail_url, move_url = url_for_each("touchpoints:detail"), url_for_each("touchpoints:move")
    bands = {band: escape(str(label)) for band, label in BAND_LABELS.items()}
    channels = {channel: escape(str(label)) for channel, label in CHANNEL_LABELS.items()}
    moments = {kind: str(label) for kind, label in MomentType.choices}
    short = {kind: escape(str(label)) for kind, label in MOMENT_SHORT_LABELS.items()}
    no_data, impact, move = escape(_("no data")), _("impact"), _("Move %(name)s")
    decimal_separator = get_format("DECIMAL_SEPARATOR")  # as localize() would write a score
    buttons = "".join(
        MOVE_BUTTON.format(direction, escape(label), arrow)
        for direction, label, arrow in [
            ("left", _("Move to the previous stage"), "←"),
            ("up", _("Move up"), "↑"),
            ("down", _("Move down"), "↓"),
            ("right", _("Move to the next stage"), "→"),
        ]
    )
    for tp in touchpoints:
        pk, score = str(tp.pk), tp.health_score
        classes = ("" if tp.matches else " dimmed") + (" selected" if tp.pk == selected_pk else "")
        badges = "".join(
            BADGE.format(m.type, escape(f"{moments[m.type]} · {impact} {m.impact}"), short[m.type])
            for m in tp.moments
        )
        move_form = ""
        if can_edit:
            move_form = MOVE_FORM.format(
                move_url=move_url(pk),
                label=escape(move % {"name": tp.name}),
                csrf_input=csrf_input,
                buttons=buttons,
            )
        tp.html = mark_safe(  # noqa: S308 (every value above is escaped)
            CARD.format(
                classes=classes,
                pk=pk,
                move_url=move_url(pk),
                detail_url=detail_url(pk),
                name=escape(tp.name),
                band=tp.health_band,
                band_name=bands[tp.health_band],
                score=no_data if score is None else str(score).replace(".", decimal_separator),
                channel_name=channels[tp.channel],
                channel_icon=CHANNEL_ICONS[tp.channel],
                owner=f"<span>· {escape(tp.owner)}</span>" if tp.owner else "",
                badges=f'<div class="meta">{badges}</div>' if badges else "",
                move_form=move_form,
            )
        )


def url_for_each(name: str):
    """pk → the URL: reverse() once, then the id swapped in (a 300-card map needs 600)."""
    pattern, placeholder = reverse(name, args=[NO_ID]), str(NO_ID)
    return lambda pk: pattern.replace(placeholder, str(pk))
