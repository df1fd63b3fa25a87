"""SD-JWT disclosures (RFC 9901 §4.2): the salted ``[salt, name, value]`` arrays, their digests, and the strict
base64url every part of an SD-JWT is read with.

Layout: names reserved by the RFC (`SD`, `ARRAY_DIGEST`, `SD_ALG_CLAIM`) and the one hash we use (`SD_ALG`);
`random_salt`, `digest_of`, `b64decode_strict`; `Disclosure` (`make` to issue, `parse` to receive).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass

from passbridge.errors import InvalidInput
from passbridge.identity import jose
from passbridge.identity.refusals import Refusal, refuse
from passbridge.jsoncodec import dumps_exact_fast, loads_exact
from passbridge.jsontypes import JsonValue

SD_ALG = "sha-256"
SD = "_sd"
SD_ALG_CLAIM = "_sd_alg"
ARRAY_DIGEST = "..."

Path = tuple[str | int, ...]
"""A JSON path: object member names and array indexes from the payload root."""
SaltSource = Callable[[], str]

_B64URL = re.compile(r"[A-Za-z0-9_-]*")


class _SaltPool(threading.local):
    """Salts drawn from the OS CSPRNG 4 KiB at a time (one `getrandom` call per 256 salts instead of one per salt;
    a passport needs a dozen). Per thread, so no salt is ever handed out twice."""

    def __init__(self) -> None:
        self.salts: list[str] = []

    def take(self) -> str:
        if not self.salts:
            block = secrets.token_bytes(16 * 256)
            self.salts = [jose.b64encode(block[at : at + 16]) for at in range(0, len(block), 16)]
        return self.salts.pop()


_SALTS = _SaltPool()
os.register_at_fork(after_in_child=lambda: _SALTS.salts.clear())  # a forked child must not reuse the parent's salts


def random_salt() -> str:
    """128 bits from the OS CSPRNG, base64url (RFC 9901 §9.3 recommends at least 128 bits)."""
    return _SALTS.take()


def digest_of(encoded: str) -> str:
    """base64url(SHA-256(ASCII(`encoded`))): the digest is taken over the encoded Disclosure (§4.2.3)."""
    return jose.b64encode(hashlib.sha256(encoded.encode("ascii")).digest())


def b64decode_strict(part: str, subject: str) -> bytes:
    """Decode unpadded base64url, refusing any other spelling of the same bytes (non-canonical trailing bits).

    Raises:
        VerificationFailed: ``malformed``.
    """
    if not _B64URL.fullmatch(part) or len(part) % 4 == 1:
        raise refuse(Refusal.MALFORMED, "not unpadded base64url", subject)
    try:
        data = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError):
        raise refuse(Refusal.MALFORMED, "not base64url", subject) from None
    if jose.b64encode(data) != part:
        raise refuse(Refusal.MALFORMED, "non-canonical base64url", subject)
    return data


@dataclass(frozen=True, slots=True)
class Disclosure:
    """One disclosure: ``[salt, name, value]`` for an object property, ``[salt, value]`` for an array element."""

    salt: str
    name: str | None
    value: JsonValue
    encoded: str
    digest: str

    @classmethod
    def make(cls, salt: str, name: str | None, value: JsonValue) -> Disclosure:
        """Encode a new disclosure (compact JSON, UTF-8, base64url)."""
        array: list[JsonValue] = [salt, value] if name is None else [salt, name, value]
        encoded = jose.b64encode(dumps_exact_fast(array))
        return cls(salt, name, value, encoded, digest_of(encoded))

    @classmethod
    def parse(cls, encoded: str, subject: str = "disclosure") -> Disclosure:
        """Decode a received disclosure; the digest is computed over `encoded` exactly as received.

        Raises:
            VerificationFailed: ``malformed`` (not base64url JSON, not a 2- or 3-element array with string salt and
                name, or a reserved claim name ``_sd`` / ``...``).
        """
        try:
            array = loads_exact(b64decode_strict(encoded, subject))
        except InvalidInput as exc:
            raise refuse(Refusal.MALFORMED, f"not JSON: {exc}", subject) from None
        if not isinstance(array, list) or len(array) not in (2, 3) or not isinstance(array[0], str):
            raise refuse(Refusal.MALFORMED, "must be a JSON array [salt, name, value] or [salt, value]", subject)
        name = array[1] if len(array) == 3 else None
        if len(array) == 3 and (not isinstance(name, str) or name in (SD, ARRAY_DIGEST)):
            raise refuse(Refusal.MALFORMED, f"claim name {name!r} is not allowed (RFC 9901 §7.1)", subject)
        return cls(array[0], name, array[-1], encoded, digest_of(encoded))


__all__ = [
    "ARRAY_DIGEST",
    "SD",
    "SD_ALG",
    "SD_ALG_CLAIM",
    "Disclosure",
    "Path",
    "SaltSource",
    "b64decode_strict",
    "digest_of",
    "random_salt",
]
