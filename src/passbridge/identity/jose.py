"""Strict compact JWS / JWT: the one place tokens are signed and their signatures checked (joserfc underneath).

Every check before the signature is explicit, so an attack gets its own refusal rather than a library message:
size first (`MAX_TOKEN_BYTES`), then shape (three base64url parts, JSON header and payload), then the algorithm —
only ``Ed25519``/``EdDSA`` (OKP Ed25519) and ``ES256`` (EC P-256), and only the one matching the key's type, so
``alg: none`` and HS256 keyed with a public key (algorithm confusion) are refused before any cryptography runs.
"""

from __future__ import annotations

import base64
import binascii
import json
import warnings
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import orjson
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, JWKRegistry, OKPKey
from joserfc.jws import JWSRegistry

from passbridge.identity.keys import SigningKey, verify_ed25519
from passbridge.identity.refusals import Refusal, refuse

MAX_TOKEN_BYTES = 256 * 1024
"""Largest compact token accepted (a presentation with a few credentials is ~5 KB)."""

LEEWAY_SECONDS = 60
"""Clock skew tolerated on ``exp`` / ``nbf`` / ``iat``."""

_ALGORITHMS_OF_KEY: Mapping[tuple[str, str], tuple[str, ...]] = {
    ("OKP", "Ed25519"): ("Ed25519", "EdDSA"),
    ("EC", "P-256"): ("ES256",),
}
ACCEPTED_ALGORITHMS = frozenset(alg for algs in _ALGORITHMS_OF_KEY.values() for alg in algs)


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def b64encode(data: bytes) -> str:
    """base64url without padding (RFC 7515 §2)."""
    return _b64url(data).decode("ascii")


def peek(token: str, subject: str = "token") -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and claims of a compact JWS *without* checking the signature (to find the key or route the token).

    Raises:
        VerificationFailed: too large, malformed, or an algorithm we never accept (``none``, ``HS256`` …).
    """
    if len(token) > MAX_TOKEN_BYTES:
        raise refuse(Refusal.TOO_LARGE, f"{len(token)} bytes > {MAX_TOKEN_BYTES}", subject)
    parts = token.split(".")
    if len(parts) != 3:
        raise refuse(Refusal.MALFORMED, "not a compact JWS (header.payload.signature)", subject)
    try:
        header = orjson.loads(_b64decode(parts[0]))  # strict RFC 8259: NaN / Infinity are refused
        claims = orjson.loads(_b64decode(parts[1]))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise refuse(Refusal.MALFORMED, f"header or payload is not base64url JSON: {exc}", subject) from None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise refuse(Refusal.MALFORMED, "header and payload must be JSON objects", subject)
    alg = header.get("alg")
    if alg not in ACCEPTED_ALGORITHMS:
        raise refuse(
            Refusal.ALGORITHM_NOT_ALLOWED,
            f"alg {alg!r}; accepted: {', '.join(sorted(ACCEPTED_ALGORITHMS))}",
            subject,
        )
    if "crit" in header:
        raise refuse(Refusal.MALFORMED, f"unsupported critical header(s) {header['crit']!r}", subject)
    return header, claims


def public_key(jwk: Mapping[str, Any], subject: str = "token") -> OKPKey | ECKey:
    """Import a public JWK we accept (OKP Ed25519 or EC P-256, no private part).

    Raises:
        VerificationFailed: any other key type or curve, or a broken JWK.
    """
    kind = (str(jwk.get("kty")), str(jwk.get("crv")))
    if kind not in _ALGORITHMS_OF_KEY:
        raise refuse(Refusal.UNSUPPORTED_KEY, f"key type {kind[0]}/{kind[1]}", subject)
    try:
        key = JWKRegistry.import_key({k: v for k, v in jwk.items() if k != "d"})
    except (JoseError, ValueError, TypeError) as exc:
        raise refuse(Refusal.UNSUPPORTED_KEY, f"invalid JWK: {exc}", subject) from None
    assert isinstance(key, OKPKey | ECKey)
    return key


def sign(key: SigningKey, claims: Mapping[str, Any], *, typ: str = "JWT", kid: str | None = None, **header: Any) -> str:
    """A compact JWS over the JSON of `claims` with header ``alg``, ``typ``, ``kid`` (default: the key's thumbprint)."""
    payload = json.dumps(claims, separators=(",", ":"), ensure_ascii=False).encode()
    return sign_payload(key, payload, typ=typ, kid=kid, **header)


def sign_payload(key: SigningKey, payload: bytes, *, typ: str = "JWT", kid: str | None = None, **header: Any) -> str:
    """Like `sign`, over payload bytes the caller encoded (e.g. with `Decimal` numbers written digit for digit)."""
    protected = {"alg": key.algorithm, "typ": typ, "kid": kid or key.kid, **header}
    signing_input = _b64url(orjson.dumps(protected)) + b"." + _b64url(payload)
    return (signing_input + b"." + _b64url(key.sign(signing_input))).decode("ascii")


_URLSAFE = bytes.maketrans(b"+/", b"-_")


def _b64url(data: bytes) -> bytes:
    return binascii.b2a_base64(data, newline=False).translate(_URLSAFE).rstrip(b"=")


def verify(token: str, jwk: Mapping[str, Any], subject: str = "token") -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and claims of `token` after checking its signature with `jwk` (no time or audience checks).

    Raises:
        VerificationFailed: too large, malformed, algorithm not allowed or not matching the key, bad signature.
    """
    header, claims = peek(token, subject)
    allowed = _ALGORITHMS_OF_KEY.get((str(jwk.get("kty")), str(jwk.get("crv"))), ())
    key = public_key(jwk, subject)
    if header["alg"] not in allowed:
        raise refuse(
            Refusal.ALGORITHM_NOT_ALLOWED, f"alg {header['alg']!r} does not match a {jwk.get('kty')} key", subject
        )
    try:
        with warnings.catch_warnings():  # joserfc warns that "EdDSA" is deprecated (RFC 9864); we still accept it
            warnings.simplefilter("ignore")
            jws.deserialize_compact(token, key, algorithms=[header["alg"]])
    except JoseError as exc:
        raise refuse(Refusal.BAD_SIGNATURE, str(exc) or type(exc).__name__, subject) from None
    return header, claims


def verify_key(
    token: str,
    key: OKPKey | ECKey | Callable[[dict[str, Any], dict[str, Any]], OKPKey | ECKey],
    subject: str = "token",
) -> tuple[dict[str, Any], dict[str, Any]]:
    """`verify` with a key imported once by `public_key` (verifiers keep keys per DID key), or with a function of
    the unverified header and claims that returns it — and may refuse first on checks that need no signature — so
    the token is parsed once. The signature is checked directly over the compact signing input.

    Raises:
        VerificationFailed: too large, malformed, a key or algorithm not allowed or not matching, bad signature;
            or what `key` raises.
    """
    header, claims = peek(token, subject)
    if "b64" in header:  # RFC 7797 §6: only with "crit", which `peek` refuses
        raise refuse(Refusal.MALFORMED, "b64 (unencoded payload) is not supported", subject)
    if callable(key):
        key = key(header, claims)
    kind = (key.key_type, str(key.curve_name))
    allowed = _ALGORITHMS_OF_KEY.get(kind, ())
    if not allowed:
        raise refuse(Refusal.UNSUPPORTED_KEY, f"key type {kind[0]}/{kind[1]}", subject)
    if header["alg"] not in allowed:
        raise refuse(Refusal.ALGORITHM_NOT_ALLOWED, f"alg {header['alg']!r} does not match a {kind[0]} key", subject)
    signing_input, _, encoded = token.rpartition(".")
    try:
        signature = _b64decode(encoded)
    except (binascii.Error, ValueError):
        raise refuse(Refusal.BAD_SIGNATURE, "the signature is not base64url", subject) from None
    if kind == ("OKP", "Ed25519"):
        valid = isinstance(key, OKPKey) and verify_ed25519(key, signing_input.encode("ascii"), signature)
    else:
        valid = JWSRegistry.algorithms[header["alg"]].verify(signing_input.encode("ascii"), signature, key)
    if not valid:
        raise refuse(Refusal.BAD_SIGNATURE, f"the signature does not verify with {kind[0]} key", subject)
    return header, claims


def check_times(claims: Mapping[str, Any], now: datetime, subject: str = "token", *, require_exp: bool = True) -> None:
    """``nbf`` / ``iat`` not in the future and ``exp`` not past (with `LEEWAY_SECONDS`).

    Raises:
        VerificationFailed: expired, not yet valid, or a missing / non-numeric time claim.
    """
    at = now.timestamp()
    for name in ("exp", "nbf", "iat"):
        if name in claims and not isinstance(claims[name], int | float):
            raise refuse(Refusal.MALFORMED, f"{name} must be a NumericDate", subject)
    if require_exp and "exp" not in claims:
        raise refuse(Refusal.MALFORMED, "exp is required", subject)
    if "exp" in claims and at > claims["exp"] + LEEWAY_SECONDS:
        raise refuse(Refusal.EXPIRED, f"expired at {claims['exp']}", subject)
    for name in ("nbf", "iat"):
        if name in claims and at < claims[name] - LEEWAY_SECONDS:
            raise refuse(Refusal.NOT_YET_VALID, f"{name} {claims[name]} is in the future", subject)


__all__ = [
    "ACCEPTED_ALGORITHMS",
    "LEEWAY_SECONDS",
    "MAX_TOKEN_BYTES",
    "b64encode",
    "check_times",
    "peek",
    "public_key",
    "sign",
    "sign_payload",
    "verify",
    "verify_key",
]
