"""Why a signed object was refused: one stable code per check, used in `VerificationFailed.refusal`.

The codes are part of the interface (problem+json ``refusal``, `passbridge verify` output, the attack-table tests).
"""

from __future__ import annotations

import enum

from passbridge.errors import VerificationFailed


class Refusal(enum.Enum):
    """Reasons a token, credential, presentation, status list, trust list or signed passport is refused."""

    MALFORMED = "malformed"  # not a compact JWS / not JSON / missing required member
    TOO_LARGE = "too-large"  # above the size limit, refused before parsing
    ALGORITHM_NOT_ALLOWED = "algorithm-not-allowed"  # alg none, HS*, or an alg not matching the key type
    UNSUPPORTED_KEY = "unsupported-key"  # key type/curve we do not accept
    UNKNOWN_KEY = "unknown-key"  # kid not in the DID document (or not with the needed relationship)
    BAD_SIGNATURE = "bad-signature"
    DID_UNRESOLVABLE = "did-unresolvable"  # DID document could not be fetched or parsed
    ADDRESS_REFUSED = "address-refused"  # did:web / status list / trust list URL to a private or non-HTTPS address
    WRONG_AUDIENCE = "wrong-audience"
    WRONG_ISSUER = "wrong-issuer"  # iss ≠ sub (SI token), VC issuer ≠ signing DID, trust list not signed by authority
    EXPIRED = "expired"
    NOT_YET_VALID = "not-yet-valid"
    REPLAYED = "replayed"  # jti seen before
    HOLDER_MISMATCH = "holder-mismatch"  # holder ≠ SI token subject, or credentialSubject.id ≠ holder
    ISSUER_NOT_TRUSTED = "issuer-not-trusted"  # not on the trust list for this type (directly or by recognition)
    RECOGNITION_OUT_OF_SCOPE = "recognition-out-of-scope"  # recognised issuer, but outside scope or period
    REVOKED = "revoked"
    STATUS_UNAVAILABLE = "status-unavailable"  # status list unreachable or invalid: fail closed
    MISSING_CREDENTIAL = "missing-credential"  # a requested credential type was not presented
    DIGEST_MISMATCH = "digest-mismatch"  # SD-JWT disclosure not referenced by the signed payload


def refuse(refusal: Refusal, detail: str, subject: str = "") -> VerificationFailed:
    """The error to raise for `refusal` (``raise refuse(Refusal.EXPIRED, "…", "credential 1")``)."""
    return VerificationFailed(refusal.value, detail, subject)


__all__ = ["Refusal", "refuse"]
