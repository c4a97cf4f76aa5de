"""Where webhooks may call: http(s) URLs whose host resolves only to public addresses, unless
WEBHOOK_ALLOW_PRIVATE is on. Checked when a webhook is saved and again, against the address
actually connected to, at every delivery: a name can resolve elsewhere by then (DNS rebinding)."""

import ipaddress
import socket
from urllib.parse import SplitResult, urlsplit

from django.conf import settings
from django.utils.translation import gettext as _


class RefusedURL(Exception):
    pass


def refused(address: str) -> bool:
    """Private, loopback, link-local, multicast, reserved or unspecified: anything not public."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # fe80::1%eth0: the zone is no part
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def split_url(url: str) -> SplitResult:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise RefusedURL(_("Only http and https URLs can be called."))
    if not parts.hostname:
        raise RefusedURL(_("The URL needs a host."))
    try:
        parts.port  # noqa: B018 (raises on a port that is not a number in range)
    except ValueError:
        raise RefusedURL(_("The URL's port is not valid.")) from None
    return parts


def port_of(parts: SplitResult) -> int:
    return parts.port or (443 if parts.scheme == "https" else 80)


def addresses(url: str) -> tuple[SplitResult, list[str]]:
    """The URL's parts and the addresses its host resolves to, each allowed; else RefusedURL."""
    parts = split_url(url)
    try:
        found = socket.getaddrinfo(parts.hostname, port_of(parts), type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise RefusedURL(
            _("The host %(host)s does not resolve.") % {"host": parts.hostname}
        ) from None
    resolved = list(dict.fromkeys(info[4][0] for info in found))
    if not settings.WEBHOOK_ALLOW_PRIVATE:
        for address in resolved:
            if not refused(address):
                continue
            if address == parts.hostname:
                message = _(
                    "%(address)s is a private, loopback or link-local address: webhooks call"
                    " public addresses only."
                )
            else:
                message = _(
                    "%(host)s resolves to %(address)s, a private, loopback or link-local"
                    " address: webhooks call public addresses only."
                )
            raise RefusedURL(message % {"host": parts.hostname, "address": address})
    return parts, resolved


def url_problem(url: str) -> str | None:
    """Why a webhook may not call this URL, or None."""
    try:
        addresses(url)
    except RefusedURL as refusal:
        return str(refusal)
    return None
