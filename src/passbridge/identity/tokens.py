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

    def __init__(self, key: SigningKey, cache_size: int = 10_000) -> None:
        self._key = key
        self._node = f"urn:passbridge:node:{key.kid}"
        self._verified: dict[str, tuple[Caller, int, int]] = {}
        self._cache_size = cache_size

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
        seen = self._verified.get(token)
        if seen is not None and seen[1] <= now.timestamp() < seen[2]:
            return seen[0]  # signature and claims already checked; only time can change the verdict
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
        caller = Caller(role, str(decoded.claims["sub"]), via="bearer token")
        if len(self._verified) >= self._cache_size:
            self._verified.clear()
        self._verified[token] = (caller, int(decoded.claims.get("nbf", 0)), int(decoded.claims["exp"]))
        return caller


__all__ = ["Caller", "TokenIssuer"]
