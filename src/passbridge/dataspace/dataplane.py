"""The HTTP-pull data plane's tokens: what a provider puts in the endpoint data reference (EDR) and checks on every
data request.

An access token is a short-lived JWT the node signs with its data-plane key (``typ`` `ACCESS_TOKEN_TYP`), bound to
one transfer process, its agreement and its dataset (`EdrClaims`); the refresh token is an opaque random string.
Only their SHA-256 (`token_hash`) is stored, with the transfer they belong to, so a token can be revoked when its
transfer is suspended or terminated, and the database never holds a usable token. The signature and ``exp`` are
checked here; whether the transfer is still STARTED and the token not revoked is the service's check
(`passbridge.dataspace.services.DataPlane`), made on every request.

`access_level` reads the passport view an agreement grants: a ``PassportAccessLevel`` constraint names the reader
role; an agreement without one grants the public view.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from passbridge.dataspace.odrl import AnyConstraint, Constraint, Operator, Policy
from passbridge.dataspace.policies import CxOperand, short_name
from passbridge.identity import jose
from passbridge.identity.keys import SigningKey
from passbridge.identity.refusals import Refusal, refuse

ACCESS_TOKEN_TYP = "edr+jwt"
PUBLIC_LEVEL = "public"
"""The access level of an agreement without a ``PassportAccessLevel`` constraint."""
_SUBJECT = "data-plane token"


@dataclass(frozen=True, slots=True)
class EdrClaims:
    """What a data-plane access token binds: the provider's transfer pid, the agreement, the dataset, the consumer."""

    transfer_pid: str
    agreement_id: str
    dataset_id: str
    consumer: str
    expires_at: datetime


def token_hash(token: str) -> str:
    """Hex SHA-256 of a token: what is stored instead of the token."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_refresh_token() -> str:
    """An opaque refresh token (256 random bits)."""
    return secrets.token_urlsafe(32)


def issue_access_token(key: SigningKey, issuer: str, claims: EdrClaims, now: datetime) -> str:
    """A signed access token for `claims` (issuer = audience = our DID: only this node accepts it)."""
    return jose.sign(
        key,
        {
            "iss": issuer,
            "aud": issuer,
            "sub": claims.consumer,
            "transferPid": claims.transfer_pid,
            "agreementId": claims.agreement_id,
            "datasetId": claims.dataset_id,
            "iat": int(now.timestamp()),
            "exp": int(claims.expires_at.timestamp()),
            "jti": str(uuid.uuid4()),
        },
        typ=ACCESS_TOKEN_TYP,
    )


def read_access_token(token: str, key: SigningKey, issuer: str, now: datetime) -> EdrClaims:
    """The claims of an access token this node signed, checked: signature by our data-plane key, type, issuer and
    audience, and not expired (no leeway: the token is ours and short-lived).

    Raises:
        VerificationFailed: forged, altered, of another type or issuer, expired or malformed.
    """
    header, claims = jose.verify_key(token, key.key, _SUBJECT)
    if header.get("typ") != ACCESS_TOKEN_TYP or claims.get("iss") != issuer or claims.get("aud") != issuer:
        raise refuse(Refusal.WRONG_ISSUER, "not a data-plane token of this node", _SUBJECT)
    expires = claims.get("exp")
    if not isinstance(expires, int) or now.timestamp() >= expires:
        raise refuse(Refusal.EXPIRED, f"expired at {expires}", _SUBJECT)
    fields = [claims.get(name) for name in ("transferPid", "agreementId", "datasetId", "sub")]
    if not all(isinstance(value, str) and value for value in fields):
        raise refuse(Refusal.MALFORMED, "transferPid, agreementId, datasetId and sub are required", _SUBJECT)
    transfer, agreement, dataset, consumer = (str(value) for value in fields)
    return EdrClaims(transfer, agreement, dataset, consumer, datetime.fromtimestamp(expires, now.tzinfo))


def expiry(now: datetime, ttl_seconds: int) -> datetime:
    """When a token issued `now` with `ttl_seconds` expires (whole seconds, as in the JWT)."""
    return datetime.fromtimestamp(int((now + timedelta(seconds=ttl_seconds)).timestamp()), now.tzinfo)


def _leaves(constraints: Iterable[AnyConstraint]) -> Iterable[Constraint]:
    for c in constraints:
        if isinstance(c, Constraint):
            yield c
        else:
            yield from _leaves(c.constraints)


def access_level(agreement: Policy, ranking: tuple[str, ...]) -> str:
    """The passport view `agreement` grants: the level its ``PassportAccessLevel`` constraint names (``eq``); with
    several (``isAnyOf``, or several constraints) the weakest in `ranking` (weakest first), so an ambiguous agreement
    never grants more; `PUBLIC_LEVEL` without one."""
    named: list[str] = []
    for rule in agreement.permissions:
        for c in _leaves(rule.constraints):
            if short_name(c.left_operand) != CxOperand.PASSPORT_ACCESS_LEVEL:
                continue
            if c.operator in (Operator.EQ, Operator.IS_ANY_OF, Operator.IS_PART_OF):
                values = c.right_operand if isinstance(c.right_operand, list) else [c.right_operand]
                named += [v for v in values if isinstance(v, str) and v in ranking]
    if not named:
        return PUBLIC_LEVEL
    return min(named, key=ranking.index)


__all__ = [
    "ACCESS_TOKEN_TYP",
    "PUBLIC_LEVEL",
    "EdrClaims",
    "access_level",
    "expiry",
    "issue_access_token",
    "new_refresh_token",
    "read_access_token",
    "token_hash",
]
