"""Passports signed by their economic operator as SD-JWTs (RFC 9901), and their verification.

Layout: `SdJwtPassportSigner` (implements `passport.ports.PassportSigner`; picklable, so bulk import signs in its
worker processes), `VerifiedPassport` and `verify_passport` (signature against the issuer's DID document, every
disclosure's digest, the envelope claims).

The payload is an SD-JWT VC (``typ`` ``dc+sd-jwt``): the envelope — ``iss`` (the node's did:web DID), ``iat``
(signing time), ``vct`` (the BatteryPass 6.1.0 aspect model URN), ``passportId`` (``urn:uuid:…``) and ``version`` —
next to the passport members themselves, public ones in clear and the others as disclosures
(`passport.signatures.disclosure_plan`). The header ``kid`` is the DID URL of the key (``<did>#<thumbprint>``), an
``assertionMethod`` of the DID document.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from passbridge.identity import sdjwt
from passbridge.identity.did import DidDocument, DidResolver, build_document
from passbridge.identity.keys import SigningKey, from_pem
from passbridge.identity.refusals import Refusal, refuse
from passbridge.jsontypes import JsonObject, JsonValue
from passbridge.passport.battery_pass import ASPECT_URN
from passbridge.passport.model import PassportId
from passbridge.passport.signatures import SignedDisclosure, SignedPassport, disclosure_plan, signed_content

VCT = ASPECT_URN
"""``vct`` of a signed passport: the Catena-X BatteryPass 6.1.0 aspect model (what ``?format=catenax-6.1.0`` is)."""
ENVELOPE = ("iss", "iat", "vct", "passportId", "version")
"""Claims of the signed payload that are not passport members."""


class SdJwtPassportSigner:
    """Signs passport versions with the node's key as issuer `issuer` (a did:web DID)."""

    def __init__(self, key: SigningKey, issuer: str, salts: sdjwt.SaltSource = sdjwt.random_salt) -> None:
        self._key, self._issuer, self._salts = key, issuer, salts
        self._kid = f"{issuer}#{key.kid}"

    @property
    def issuer(self) -> str:
        """The DID the signatures are made as."""
        return self._issuer

    def did_document(self) -> DidDocument:
        """A DID document with just this signer's key (the node serves its full one at ``/.well-known/did.json``)."""
        return build_document(self._issuer, [self._key])

    def __reduce__(self) -> tuple[Any, ...]:
        # The joserfc key object does not pickle; its PEM does (workers are spawned by this node, on this host).
        return (_rebuild, (self._key.key.as_pem(private=True), self._issuer, self._salts))

    def sign(self, content: JsonObject, passport_id: PassportId, number: int, signed_at: datetime) -> SignedPassport:
        """The SD-JWT of one version: every member beyond Annex XIII point 1 selectively disclosable.

        Raises:
            ValueError: a passport member named like an envelope claim (the BatteryPass schema has none).
        """
        document = signed_content(content)
        clash = set(ENVELOPE) & set(document)
        if clash:
            raise ValueError(f"passport members {sorted(clash)} collide with the SD-JWT envelope")
        claims: dict[str, JsonValue] = {
            "iss": self._issuer,
            "iat": int(signed_at.timestamp()),
            "vct": VCT,
            "passportId": passport_id.urn,
            "version": number,
            **document,
        }
        issued = sdjwt.issue(  # names_checked: the closed BatteryPass schema has no `_sd`, `...` or `_sd_alg`
            claims, disclosure_plan(document), self._key, kid=self._kid, salts=self._salts, names_checked=True
        )
        index = {item.path: position for position, item in enumerate(issued.disclosures)}
        disclosures = tuple(
            SignedDisclosure(
                sdjwt.dotted(item.path),
                item.disclosure.encoded,
                index[item.parent] if item.parent is not None else None,
            )
            for item in issued.disclosures
        )
        return SignedPassport(passport_id, number, signed_at, issued.jwt, disclosures)


def _rebuild(pem: bytes, issuer: str, salts: sdjwt.SaltSource) -> SdJwtPassportSigner:
    return SdJwtPassportSigner(from_pem(pem), issuer, salts)


@dataclass(frozen=True, slots=True)
class VerifiedPassport:
    """A signed passport that verified: who signed which version when, and what was disclosed.

    Attributes:
        issuer: the economic operator's DID (``iss``).
        key_id: the ``kid`` of the signing key (an ``assertionMethod`` of the issuer's DID document).
        passport_id: the passport identifier (``urn:uuid:…``).
        version: the passport version signed.
        signed_at: ``iat``.
        disclosed: the paths of the disclosed members (``performance.dynamic``), in payload order.
        content: the passport as disclosed (envelope claims removed).
    """

    issuer: str
    key_id: str | None
    passport_id: str
    version: int
    signed_at: datetime
    disclosed: tuple[str, ...]
    content: dict[str, JsonValue]


def verify_passport(
    sd_jwt: str, keys: DidResolver | Mapping[str, Any], *, now: datetime | None = None
) -> VerifiedPassport:
    """Verify a signed passport (``GET …?format=sd-jwt``) against its issuer's DID document.

    Raises:
        VerificationFailed: the SD-JWT is refused (`sdjwt.verify`) or its envelope is not a signed passport's.
    """
    subject = "signed passport"
    verified = sdjwt.verify(sd_jwt, keys, now=now, expected_typ=sdjwt.TYP, subject=subject)
    claims = verified.claims
    if claims.get("vct") != VCT:
        raise refuse(Refusal.MALFORMED, f"vct {claims.get('vct')!r} is not {VCT!r}", subject)
    passport_id, version, issued = claims.get("passportId"), claims.get("version"), claims.get("iat")
    if not isinstance(passport_id, str) or not isinstance(version, int) or version < 1 or not isinstance(issued, int):
        raise refuse(Refusal.MALFORMED, "passportId (string), version (≥ 1) and iat (NumericDate) required", subject)
    return VerifiedPassport(
        issuer=verified.issuer,
        key_id=verified.key_id,
        passport_id=passport_id,
        version=version,
        signed_at=datetime.fromtimestamp(issued, UTC),
        disclosed=tuple(sdjwt.dotted(path) for path in verified.disclosed),
        content={name: value for name, value in claims.items() if name not in ENVELOPE},
    )


__all__ = ["ENVELOPE", "VCT", "SdJwtPassportSigner", "VerifiedPassport", "verify_passport"]
