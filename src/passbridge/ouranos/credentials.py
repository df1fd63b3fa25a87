"""Secrets of the platform: passwords under scrypt, API keys as SHA-256, CIDR allow-lists, the lock rule.

Ouranos (user-authentication-system): an `apiKey` per application, optionally tied to CIDRs; an account is
locked after repeated failed logins (openapi `/auth/login` 401).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from collections.abc import Iterable
from typing import Final

MAX_FAILURES: Final = 5
"""Consecutive failed logins after which an account is locked."""

_N, _R, _P = 2**14, 8, 1


def hash_password(password: str, salt: bytes | None = None) -> str:
    """``scrypt$<salt hex>$<key hex>`` of `password` (RFC 7914, N=2^14, r=8, p=1)."""
    salt = salt or secrets.token_bytes(16)
    key = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${salt.hex()}${key.hex()}"


def password_matches(password: str, stored: str) -> bool:
    """Whether `password` hashes to `stored` (constant-time compare)."""
    scheme, _, rest = stored.partition("$")
    salt_hex, _, key_hex = rest.partition("$")
    if scheme != "scrypt" or not salt_hex or not key_hex:
        return False
    expected = hash_password(password, bytes.fromhex(salt_hex))
    return hmac.compare_digest(expected, stored)


def new_api_key() -> str:
    """A fresh random API key (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def api_key_hash(key: str) -> str:
    """What is stored of an API key: its SHA-256, hex."""
    return hashlib.sha256(key.encode()).hexdigest()


def address_allowed(address: str | None, cidrs: Iterable[str]) -> bool:
    """Whether `address` lies in one of `cidrs` (no CIDRs: any address; an unknown address never matches)."""
    networks = [ipaddress.ip_network(cidr, strict=False) for cidr in cidrs]
    if not networks:
        return True
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    return any(ip in network for network in networks)


__all__ = ["MAX_FAILURES", "address_allowed", "api_key_hash", "hash_password", "new_api_key", "password_matches"]
