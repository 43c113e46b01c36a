"""Which webhook URLs we are willing to call: http(s) to public addresses only (no SSRF into our network).

The host is resolved (in a thread: ``getaddrinfo`` blocks) and *every* address must be globally routable —
not private, loopback, link-local, multicast, reserved or unspecified, and not an IPv4-mapped form of one.
The check runs when an endpoint is created and again before every delivery, and the delivery then
connects to the address that was checked (DNS rebinding cannot swap it in between).
``settings.allow_private_webhook_urls`` (development, tests) turns the address check off.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import SplitResult, urlsplit

from shared.errors import ValidationFailed

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class WebhookUrlError(ValidationFailed):
    default_code = "webhook_url_not_allowed"


def parse_webhook_url(url: str) -> SplitResult:
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise WebhookUrlError("The webhook URL is not a valid URL.", code="invalid_webhook_url") from None
    if parts.scheme not in ("http", "https"):
        raise WebhookUrlError("Webhook URLs must use http or https.", code="invalid_webhook_url")
    if not parts.hostname:
        raise WebhookUrlError("The webhook URL has no host.", code="invalid_webhook_url")
    if port == 0:
        raise WebhookUrlError("The webhook URL has an invalid port.", code="invalid_webhook_url")
    return parts


def is_public(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


async def resolve(host: str, port: int) -> list[IPAddress]:
    try:
        literal = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    else:
        return [literal]
    try:
        infos = await asyncio.to_thread(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return []
    seen: list[IPAddress] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if address not in seen:
            seen.append(address)
    return seen


async def check_webhook_url(url: str, *, allow_private: bool) -> list[IPAddress]:
    """Refuse a URL we must not call (422 ``invalid_webhook_url`` / ``webhook_url_not_allowed``); returns
    the public addresses it resolves to (empty when private addresses are allowed: no check was made)."""
    parts = parse_webhook_url(url)
    if allow_private:
        return []
    host = parts.hostname or ""
    addresses = await resolve(host, parts.port or (443 if parts.scheme == "https" else 80))
    if not addresses:
        raise WebhookUrlError(f"The webhook host {host!r} does not resolve.", code="webhook_url_not_allowed")
    blocked = [str(a) for a in addresses if not is_public(a)]
    if blocked:
        raise WebhookUrlError(
            f"The webhook host {host!r} resolves to a non-public address ({', '.join(blocked)}).",
            code="webhook_url_not_allowed",
        )
    return addresses
