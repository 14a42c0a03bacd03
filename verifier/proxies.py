"""The client's address when reverse proxies stand between it and the app.

django-axes asks ``client_address`` (settings.AXES_CLIENT_IP_CALLABLE) whom a failed
login came from, so that one client's wrong passwords lock out that client, not
everyone behind the same proxy.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    """The address the outermost of our trusted proxies received the request from.

    Each proxy appends the address it was connected from to X-Forwarded-For, so with N
    trusted proxies the client is the N-th entry from the right. Whatever stands left
    of it was sent by the client and proves nothing. With no trusted proxies (the
    default) the header is ignored: the app is reached directly and the peer is the
    client. A request that did not pass through all the proxies, or whose entry is not
    an address, is counted under its peer's address.
    """
    peer = request.META.get("REMOTE_ADDR")
    proxies = settings.VERIFIER_TRUSTED_PROXIES
    if not proxies:
        return peer
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    forwarded = [entry.strip() for entry in header.split(",") if entry.strip()]
    if len(forwarded) < proxies:
        return peer
    try:
        return str(ipaddress.ip_address(forwarded[-proxies]))
    except ValueError:
        return peer
