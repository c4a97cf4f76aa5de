"""The touchpoint cards of the journey map, rendered in Python.

The map page's profile put most of a 300-card map in the template engine, about 30 nodes a card;
one format string a card takes a tenth of that. The card's markup lives here only, and the board
partial of journeys/map.html places the cards."""

import uuid

from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
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
    """Sets each touchpoint's `html` (and `channel_name`, `channel_icon` for the lanes)."""
    detail_url, move_url = url_for_each("touchpoints:detail"), url_for_each("touchpoints:move")
    bands = {band: str(label) for band, label in BAND_LABELS.items()}
    channels = {channel: str(label) for channel, label in CHANNEL_LABELS.items()}
    moments = {kind: str(label) for kind, label in MomentType.choices}
    short = {kind: str(label) for kind, label in MOMENT_SHORT_LABELS.items()}
    no_data, impact, move = _("no data"), _("impact"), _("Move %(name)s")
    buttons = format_html_join(
        "",
        MOVE_BUTTON,
        [
            ("left", _("Move to the previous stage"), "←"),
            ("up", _("Move up"), "↑"),
            ("down", _("Move down"), "↓"),
            ("right", _("Move to the next stage"), "→"),
        ],
    )
    for tp in touchpoints:
        tp.channel_name, tp.channel_icon = channels[tp.channel], CHANNEL_ICONS[tp.channel]
        classes = ("" if tp.matches else " dimmed") + (" selected" if tp.pk == selected_pk else "")
        badges = format_html_join(
            "",
            BADGE,
            (
                (m.type, f"{moments[m.type]} · {impact} {m.impact}", short[m.type])
                for m in tp.moments
            ),
        )
        move_form = SafeString()
        if can_edit:
            move_form = format_html(
                MOVE_FORM,
                move_url=move_url(tp.pk),
                label=move % {"name": tp.name},
                csrf_input=csrf_input,
                buttons=buttons,
            )
        tp.html = format_html(
            CARD,
            classes=classes,
            pk=tp.pk,
            move_url=move_url(tp.pk),
            detail_url=detail_url(tp.pk),
            name=tp.name,
            band=tp.health_band,
            band_name=bands[tp.health_band],
            score=no_data if tp.health_score is None else localize(tp.health_score),
            channel_name=tp.channel_name,
            channel_icon=tp.channel_icon,
            owner=format_html("<span>· {}</span>", tp.owner) if tp.owner else "",
            badges=format_html('<div class="meta">{}</div>', badges) if tp.moments else "",
            move_form=move_form,
        )


def url_for_each(name: str):
    """pk → the URL: reverse() once, then the id swapped in (a 300-card map needs 600)."""
    pattern = reverse(name, args=[NO_ID])
    return lambda pk: pattern.replace(str(NO_ID), str(pk))
