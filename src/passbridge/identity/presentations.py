"""W3C VC 2.0 presentations secured as JWT (``vp+jwt``, DCP profile ``vc20-bssl/jwt``): issue and take apart.

Credentials travel inside as ``EnvelopedVerifiableCredential`` entries (``data:application/vc+jwt,<jwt>``); checking
them is `verifier.py`'s job.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from passbridge.identity import jose
from passbridge.identity.credentials import (
    ENVELOPE_PREFIX,
    ENVELOPED_CREDENTIAL,
    VC_CONTEXT,
    VERIFIABLE_PRESENTATION,
    timestamp,
)
from passbridge.identity.keys import SigningKey
from passbridge.identity.refusals import Refusal, refuse

_PRESENTATION_TYPS = frozenset({"JWT", "vp+jwt", "vp+ld+jwt", "application/vp+jwt"})


@dataclass(frozen=True, slots=True)
class Presentation:
    """A presentation JWT taken apart, not verified.

    Attributes:
        holder: ``holder`` (= ``iss``).
        audience: every ``aud`` value (a JWT may carry one or several).
        credentials: the enveloped credentials' compact JWS, in order.
        jti: the presentation's id, if any.
        claims: every JWT claim.
        kid: the header ``kid`` naming the holder's key.
    """

    holder: str
    audience: tuple[str, ...]
    credentials: tuple[str, ...]
    jti: str | None
    claims: Mapping[str, Any]
    kid: str | None = None


def issue_presentation(
    holder: str,
    key: SigningKey,
    kid: str,
    credentials: Sequence[str],
    audience: str,
    now: datetime,
    ttl_seconds: int = 300,
    nonce: str | None = None,
) -> str:
    """A ``vp+jwt`` by `holder` for `audience` enveloping the credential JWTs, valid `ttl_seconds` from `now`."""
    issued = timestamp(now)
    claims: dict[str, Any] = {
        "@context": [VC_CONTEXT],
        "type": [VERIFIABLE_PRESENTATION],
        "holder": holder,
        "verifiableCredential": [
            {"@context": VC_CONTEXT, "id": ENVELOPE_PREFIX + vc, "type": ENVELOPED_CREDENTIAL} for vc in credentials
        ],
        "iss": holder,
        "aud": audience,
        "jti": f"urn:uuid:{uuid.uuid4()}",
        "iat": issued,
        "exp": issued + ttl_seconds,
    }
    if nonce is not None:
        claims["nonce"] = nonce
    return jose.sign(key, claims, typ="vp+jwt", kid=kid)


def audiences(claims: Mapping[str, Any], subject: str) -> tuple[str, ...]:
    """The ``aud`` claim as a tuple (RFC 7519 §4.1.3: a string or an array of strings).

    Raises:
        VerificationFailed: ``aud`` missing or not strings.
    """
    aud = claims.get("aud")
    values = [aud] if isinstance(aud, str) else aud
    if not isinstance(values, list) or not values or not all(isinstance(a, str) for a in values):
        raise refuse(Refusal.MALFORMED, "aud must be a string or an array of strings", subject)
    return tuple(values)


def _enveloped(entry: Any, position: int, subject: str) -> str:
    where = f"verifiableCredential[{position}]"
    if not isinstance(entry, Mapping) or entry.get("type") != ENVELOPED_CREDENTIAL:
        raise refuse(Refusal.MALFORMED, f"{where} must be an EnvelopedVerifiableCredential object", subject)
    data = entry.get("id")
    if not isinstance(data, str) or not data.startswith(ENVELOPE_PREFIX):
        raise refuse(Refusal.MALFORMED, f"{where}.id must be a {ENVELOPE_PREFIX}… data URL", subject)
    return data[len(ENVELOPE_PREFIX) :]


def read_presentation(token: str, subject: str = "presentation") -> Presentation:
    """Take a ``vp+jwt`` apart *without* verifying it.

    Raises:
        VerificationFailed: too large, not a JWS, an algorithm never accepted, or what `presentation_of` refuses.
    """
    return presentation_of(*jose.peek(token, subject), subject)


def presentation_of(
    header: Mapping[str, Any], claims: Mapping[str, Any], subject: str = "presentation"
) -> Presentation:
    """The presentation in the (unverified) header and claims of a ``vp+jwt`` (from `jose.peek`).

    Raises:
        VerificationFailed: not a presentation, a credential entry that is not an enveloped ``vc+jwt``
            (``malformed``), or ``holder`` ≠ ``iss`` (``holder-mismatch``).
    """
    typ = header.get("typ")
    if typ is not None and typ not in _PRESENTATION_TYPS:
        raise refuse(Refusal.MALFORMED, f"typ {typ!r} is not a presentation", subject)
    kid = header.get("kid")
    if kid is not None and not isinstance(kid, str):
        raise refuse(Refusal.MALFORMED, "kid must be a string", subject)
    types = claims.get("type")
    if types != VERIFIABLE_PRESENTATION and not (isinstance(types, list) and VERIFIABLE_PRESENTATION in types):
        raise refuse(Refusal.MALFORMED, "type must include VerifiablePresentation", subject)
    holder, issuer = claims.get("holder"), claims.get("iss")
    holder = holder.get("id") if isinstance(holder, Mapping) else holder
    if not isinstance(issuer, str) or not issuer:
        raise refuse(Refusal.MALFORMED, "iss (the holder's DID) is required", subject)
    if holder is not None and holder != issuer:
        raise refuse(Refusal.HOLDER_MISMATCH, f"holder {holder!r} ≠ iss {issuer!r}", subject)
    entries = claims.get("verifiableCredential", [])
    if not isinstance(entries, list):
        raise refuse(Refusal.MALFORMED, "verifiableCredential must be an array", subject)
    credentials = tuple(_enveloped(entry, position, subject) for position, entry in enumerate(entries))
    jti = claims.get("jti")
    if jti is not None and not isinstance(jti, str):
        raise refuse(Refusal.MALFORMED, "jti must be a string", subject)
    return Presentation(issuer, audiences(claims, subject), credentials, jti, claims, kid)


__all__ = [
    "Presentation",
    "audiences",
    "issue_presentation",
    "presentation_of",
    "read_presentation",
]
