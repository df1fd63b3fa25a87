"""Revocation and suspension bits: W3C Bitstring Status List v1.0.

Layout: `StatusList` (the bitstring, its ``encodedList`` form), `StatusChecker` (a credential's status entries
against the issuer's fetched, verified and cached lists; `StatusListSource` is its port), `status_list_credential`
(the ``BitstringStatusListCredential`` an issuer publishes) and `bits_of` (a status-list credential's bits, checked
for type and purpose). Bit *i* is bit ``7 - i % 8`` of byte ``i // 8``: index 0 is the most significant bit of the first
byte (§3.1, "the left-most bit"). ``encodedList`` is the multibase base64url (prefix ``u``, no padding) of the GZIP
of the bitstring (§2.2); for interop with Eclipse EDC, `StatusList.decode` also takes base64/base64url without a
multibase prefix. Decoding never inflates more than `MAX_DECOMPRESSED_BYTES`.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from passbridge.errors import VerificationFailed
from passbridge.identity.credentials import (
    Credential,
    CredentialJwt,
    CredentialType,
    StatusEntry,
    check_validity,
    read_credential_jwt,
)
from passbridge.identity.refusals import Refusal, refuse

MIN_BITS = 131_072
"""The smallest list an issuer publishes (16 KB), so a credential's index hides in a crowd (§2.2, herd privacy)."""

MAX_DECOMPRESSED_BYTES = 16 * 1024 * 1024
"""Largest bitstring accepted (134 million entries); a gzip bomb is cut off here."""

MAX_ENCODED_CHARS = 4 * 1024 * 1024
"""Largest ``encodedList`` accepted before decoding."""

NEGATIVE_PURPOSES = frozenset({"revocation", "suspension"})
"""Status purposes whose set bit makes a credential invalid (``refresh`` and ``message`` do not)."""

STATUS_LIST_TYPE = "BitstringStatusList"
_GZIP_BASE64_START = "H4sI"  # base64 of the GZIP magic 1f 8b 08: an un-prefixed EDC list starts so
_SUBJECT = "status list"


class StatusList:
    """A bitstring of status bits (``True`` = the status of `purpose` applies: revoked, suspended)."""

    __slots__ = ("_bits",)

    def __init__(self, bits: bytes | bytearray) -> None:
        if not bits:
            raise ValueError("a status list needs at least one byte")
        self._bits = bytearray(bits)

    @classmethod
    def empty(cls, size: int = MIN_BITS) -> StatusList:
        """A list of `size` bits, all clear (`size` a positive multiple of 8; issuers use at least `MIN_BITS`)."""
        if size <= 0 or size % 8:
            raise ValueError(f"size {size} must be a positive multiple of 8")
        return cls(bytes(size // 8))

    @property
    def size(self) -> int:
        """Number of bits."""
        return len(self._bits) * 8

    def _position(self, index: int) -> tuple[int, int]:
        if not 0 <= index < self.size:
            raise IndexError(f"status index {index} outside 0..{self.size - 1}")
        return index >> 3, 0x80 >> (index & 7)

    def get(self, index: int) -> bool:
        """The bit at `index`.

        Raises:
            IndexError: outside the list.
        """
        byte, mask = self._position(index)
        return bool(self._bits[byte] & mask)

    def set(self, index: int, value: bool = True) -> None:
        """Set (or clear) the bit at `index`.

        Raises:
            IndexError: outside the list.
        """
        byte, mask = self._position(index)
        if value:
            self._bits[byte] |= mask
        else:
            self._bits[byte] &= ~mask & 0xFF

    def to_bytes(self) -> bytes:
        """The raw bitstring."""
        return bytes(self._bits)

    def encode(self) -> str:
        """``encodedList``: ``u`` + base64url-no-pad(GZIP(bitstring)); deterministic (GZIP mtime 0)."""
        compressed = gzip.compress(bytes(self._bits), compresslevel=9, mtime=0)
        return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode("ascii")

    @classmethod
    def decode(cls, encoded: str, subject: str = _SUBJECT) -> StatusList:
        """Parse an ``encodedList``.

        Raises:
            VerificationFailed: ``status-unavailable`` — another multibase encoding, bad base64, not GZIP, empty,
                or inflating beyond `MAX_DECOMPRESSED_BYTES`.
        """
        if not isinstance(encoded, str) or not encoded:
            raise refuse(Refusal.STATUS_UNAVAILABLE, "encodedList must be a non-empty string", subject)
        if len(encoded) > MAX_ENCODED_CHARS:
            raise refuse(Refusal.STATUS_UNAVAILABLE, f"encodedList of {len(encoded)} chars is too long", subject)
        if encoded.startswith("u"):
            text = encoded[1:]
        elif encoded.startswith(_GZIP_BASE64_START):
            text = encoded
        else:
            raise refuse(
                Refusal.STATUS_UNAVAILABLE,
                f"encodedList must be multibase base64url ('u…'), not {encoded[:1]!r}…",
                subject,
            )
        try:
            normalised = text.replace("-", "+").replace("_", "/").rstrip("=")
            compressed = base64.b64decode(normalised + "=" * (-len(normalised) % 4), validate=True)
        except (binascii.Error, ValueError):
            raise refuse(Refusal.STATUS_UNAVAILABLE, "encodedList is not base64url", subject) from None
        return cls(_gunzip(compressed, subject))


def _gunzip(compressed: bytes, subject: str) -> bytes:
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # GZIP container only
    try:
        bits = inflater.decompress(compressed, MAX_DECOMPRESSED_BYTES + 1)
    except zlib.error as exc:
        raise refuse(Refusal.STATUS_UNAVAILABLE, f"encodedList is not GZIP: {exc}", subject) from None
    if len(bits) > MAX_DECOMPRESSED_BYTES:
        raise refuse(Refusal.STATUS_UNAVAILABLE, f"bitstring inflates beyond {MAX_DECOMPRESSED_BYTES} bytes", subject)
    if not inflater.eof or inflater.unused_data:
        raise refuse(Refusal.STATUS_UNAVAILABLE, "encodedList is truncated or has trailing data", subject)
    if not bits:
        raise refuse(Refusal.STATUS_UNAVAILABLE, "the bitstring is empty", subject)
    return bits


class StatusListSource(Protocol):
    """Fetches status-list credentials."""

    def fetch(self, url: str) -> str:
        """The ``BitstringStatusListCredential`` JWT published at `url`.

        Raises:
            VerificationFailed: ``status-unavailable`` (unreachable) or ``address-refused``.
        """


@dataclass(frozen=True, slots=True)
class _Listed:
    jwt: CredentialJwt
    bits: StatusList
    fetched_at: float


class StatusChecker:
    """Checks credentials' status entries against their issuers' lists, failing closed (``status-unavailable``).

    A list is fetched through `source`, must have its URL as ``id``, is checked by `verify` (the issuer's
    signature: ``verify(token, credential_jwt, subject)``), must be a ``BitstringStatusListCredential`` for the
    entry's purpose, and is then kept per (URL, purpose) for `ttl_seconds` of `monotonic` time. A refetched list
    older (``validFrom``) than the one it replaces is a rollback to before a revocation and refused. Validity and
    the issuer are checked on every call.
    """

    def __init__(
        self,
        source: StatusListSource,
        verify: Callable[[str, CredentialJwt, str], None],
        *,
        ttl_seconds: float = 300.0,
        cache_size: int = 10_000,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._source, self._verify, self._monotonic = source, verify, monotonic
        self._ttl, self._size = ttl_seconds, cache_size
        self._lists: dict[tuple[str, str], _Listed] = {}
        self._lock = threading.Lock()

    def check(self, entry: StatusEntry, issuer: str, now: datetime, subject: str) -> None:
        """Nothing if `entry`'s bit is clear in `issuer`'s list (entries of other purposes than `NEGATIVE_PURPOSES`
        are not checked).

        Raises:
            VerificationFailed: ``revoked`` (bit set, also for suspension) or ``status-unavailable``.
        """
        if entry.purpose not in NEGATIVE_PURPOSES:
            return
        listed = self._listed(entry.list_url, entry.purpose, subject)
        where = f"{entry.list_url} (for {subject})"
        if listed.jwt.credential.issuer != issuer:
            detail = f"{where} is signed by {listed.jwt.credential.issuer}, not by the issuer {issuer}"
            raise refuse(Refusal.STATUS_UNAVAILABLE, detail, _SUBJECT)
        try:
            check_validity(listed.jwt, now, _SUBJECT)
        except VerificationFailed as exc:
            raise refuse(Refusal.STATUS_UNAVAILABLE, f"{where} is {exc.refusal}: {exc.detail}", _SUBJECT) from None
        if entry.index >= listed.bits.size:
            detail = f"index {entry.index} outside {where} of {listed.bits.size}"
            raise refuse(Refusal.STATUS_UNAVAILABLE, detail, _SUBJECT)
        if listed.bits.get(entry.index):
            state = "revoked" if entry.purpose == "revocation" else "suspended"
            raise refuse(Refusal.REVOKED, f"bit {entry.index} of {entry.list_url} is set: {state}", subject)

    def _listed(self, url: str, purpose: str, subject: str) -> _Listed:
        fetched_at = self._monotonic()
        with self._lock:
            cached = self._lists.get((url, purpose))
        if cached is not None and fetched_at - cached.fetched_at < self._ttl:
            return cached
        try:
            token = self._source.fetch(url)
            jwt = read_credential_jwt(token, _SUBJECT)
            if jwt.credential.id != url:
                raise refuse(Refusal.MALFORMED, f"the credential at {url} has id {jwt.credential.id}", _SUBJECT)
            self._verify(token, jwt, _SUBJECT)
            bits = bits_of(jwt.credential, purpose, _SUBJECT)
        except VerificationFailed as exc:
            cause = exc.detail if exc.refusal == Refusal.STATUS_UNAVAILABLE.value else f"{exc.refusal}: {exc.detail}"
            raise refuse(Refusal.STATUS_UNAVAILABLE, f"{url} (for {subject}): {cause}", _SUBJECT) from None
        if cached is not None and jwt.credential.valid_from < cached.jwt.credential.valid_from:
            detail = f"{url} (for {subject}) is older ({jwt.credential.valid_from}) than the list seen before"
            raise refuse(Refusal.STATUS_UNAVAILABLE, detail, _SUBJECT)
        fresh = _Listed(jwt, bits, fetched_at)
        with self._lock:
            self._lists.pop((url, purpose), None)
            while len(self._lists) >= self._size:
                self._lists.pop(next(iter(self._lists)))  # the oldest fetch
            self._lists[(url, purpose)] = fresh
        return fresh


def status_list_credential(
    issuer: str,
    url: str,
    status_list: StatusList,
    purpose: str,
    valid_from: datetime,
    valid_until: datetime | None,
) -> Credential:
    """The ``BitstringStatusListCredential`` published at `url` (its id; the subject is ``<url>#list``)."""
    return Credential(
        id=url,
        type=CredentialType.STATUS_LIST.value,
        issuer=issuer,
        subject={
            "id": f"{url}#list",
            "type": STATUS_LIST_TYPE,
            "statusPurpose": purpose,
            "encodedList": status_list.encode(),
        },
        valid_from=valid_from,
        valid_until=valid_until,
    )


def bits_of(credential: Credential, purpose: str, subject: str = _SUBJECT) -> StatusList:
    """The bits of a status-list credential for `purpose` (its signature and validity are checked elsewhere).

    Raises:
        VerificationFailed: ``status-unavailable`` — not a ``BitstringStatusListCredential``, another purpose (a
            list may name several, §2.2), or an undecodable list.
    """
    if credential.type != CredentialType.STATUS_LIST.value:
        raise refuse(Refusal.STATUS_UNAVAILABLE, f"{credential.type} is not a BitstringStatusListCredential", subject)
    claims = credential.subject
    if claims.get("type") != STATUS_LIST_TYPE:
        raise refuse(Refusal.STATUS_UNAVAILABLE, f"credentialSubject.type must be {STATUS_LIST_TYPE}", subject)
    purposes = claims.get("statusPurpose")
    listed = purposes if isinstance(purposes, list) else [purposes]
    if purpose not in listed:
        raise refuse(Refusal.STATUS_UNAVAILABLE, f"the list is for {purposes!r}, the entry for {purpose!r}", subject)
    encoded = claims.get("encodedList")
    if not isinstance(encoded, str):
        raise refuse(Refusal.STATUS_UNAVAILABLE, "credentialSubject.encodedList is missing", subject)
    return StatusList.decode(encoded, subject)


__all__ = [
    "MAX_DECOMPRESSED_BYTES",
    "MAX_ENCODED_CHARS",
    "MIN_BITS",
    "NEGATIVE_PURPOSES",
    "STATUS_LIST_TYPE",
    "StatusChecker",
    "StatusList",
    "StatusListSource",
    "bits_of",
    "status_list_credential",
]
