"""Who the client is: the peer, or the address a trusted proxy forwarded. uvicorn runs with
`SERVER_OPTIONS`, so it neither trusts forwarded headers itself nor announces its name."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

# uvicorn's own defaults would trust `X-Forwarded-For` from loopback and send `server: uvicorn`.
SERVER_OPTIONS: dict[str, Any] = {"proxy_headers": False, "server_header": False}


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(addresses: Iterable[str]) -> tuple[Network, ...]:
    """Proxy addresses or CIDR ranges (`10.0.0.0/8`); a bad entry raises `ValueError`."""
    return tuple(ipaddress.ip_network(a.strip(), strict=False) for a in addresses if a.strip())


def trusted(host: str, proxies: tuple[Network, ...]) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in network for network in proxies)


def client_host(peer: str, forwarded_for: str | None, proxies: tuple[Network, ...]) -> str:
    """The client's address: the peer, unless the peer is a trusted proxy; then the right-most
    `X-Forwarded-For` entry that is not itself a trusted proxy (entries to its left are the
    client's to write, so they are never believed)."""
    if not forwarded_for or not trusted(peer, proxies):
        return peer
    for hop in reversed([part.strip() for part in forwarded_for.split(",")]):
        if hop and not trusted(hop, proxies):
            return hop
    return peer
