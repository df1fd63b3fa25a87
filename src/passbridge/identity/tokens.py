"""Interim bearer tokens: JWTs this node signs for local use (`passbridge token --role ROLE`).

A token says who the caller is (`sub`) and which passport reader role they act in (`role`); it is bound to this
node (`iss` = `aud` = ``urn:passbridge:node:<key thumbprint>``, so it survives a change of host or port but not of
the node's key) and expires. Verifiable-credential callers (DCP) will resolve to the
same `Caller`, so the passport code does not change when they arrive.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from joserfc import jwt
from joserfc.errors import JoseError

from passbridge.errors import Unauthenticated
from passbridge.identity.keys import SigningKey
from passbridge.passport.access import Role


@dataclass(frozen=True, slots=True)
class Caller:
    """An authenticated (or anonymous) caller and the role they read passports in."""

    role: Role
    subject: str
    via: str = "anonymous"

    @classmethod
    def anonymous(cls) -> Caller:
        """The public."""
        return cls(Role.ANONYMOUS, "anonymous")


class TokenIssuer:
    """Issues and verifies this node's interim bearer tokens."""

    def __init__(self, key: SigningKey) -> None:
        self._key = key
        self._node = f"urn:passbridge:node:{key.kid}"

    def issue(self, role: Role, subject: str, now: datetime, ttl_seconds: int) -> str:
        """A signed JWT for `subject` acting as `role`."""
        issued = int(now.timestamp())
        claims = {
            "iss": self._node,
            "aud": self._node,
            "sub": subject,
            "role": role.value,
            "iat": issued,
            "nbf": issued,
            "exp": issued + ttl_seconds,
            "jti": str(uuid.uuid4()),
        }
        header = {"alg": self._key.algorithm, "kid": self._key.kid, "typ": "JWT"}
        return jwt.encode(header, claims, self._key.key, algorithms=[self._key.algorithm])

    def verify(self, token: str, now: datetime) -> Caller:
        """The caller a token names.

        Raises:
            Unauthenticated: bad signature, wrong issuer or audience, not yet valid, expired, unknown role.
        """
        try:
            decoded = jwt.decode(token, self._key.key, algorithms=[self._key.algorithm])
            registry = jwt.JWTClaimsRegistry(
                now=int(now.timestamp()),
                iss={"essential": True, "value": self._node},
                aud={"essential": True, "value": self._node},
                sub={"essential": True},
                exp={"essential": True},
                role={"essential": True},
            )
            registry.validate(decoded.claims)
            role = Role(decoded.claims["role"])
        except (JoseError, ValueError) as exc:
            raise Unauthenticated(f"bearer token rejected: {exc}") from None
        return Caller(role, str(decoded.claims["sub"]), via="bearer token")


__all__ = ["Caller", "TokenIssuer"]
