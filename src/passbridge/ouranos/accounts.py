"""Operators, accounts, API keys and tokens: `passbridge ouranos operator-add`, ``/auth/login|refresh|change`` and
the caller of every other route (``apiKey`` header + ``Authorization: Bearer`` JWT with ``operator_id``)."""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Final

from passbridge.clock import Clock
from passbridge.errors import Conflict, Forbidden, InvalidInput, Unauthenticated
from passbridge.identity import jose
from passbridge.identity.keys import SigningKey
from passbridge.jsontypes import JsonObject
from passbridge.ouranos import credentials, fields
from passbridge.ouranos.model import Account, ApiKey, Kind, Record
from passbridge.ouranos.ports import OuranosRepository, UnitOfWorkFactory

logger = logging.getLogger(__name__)

ACCESS_LIFETIME: Final = timedelta(minutes=15)
REFRESH_LIFETIME: Final = timedelta(hours=24)
_ACCESS, _REFRESH = "access", "refresh"
_DUMMY_HASH: Final = credentials.hash_password("not-a-password", b"0123456789abcdef")
PASSWORD_RULE: Final = re.compile(r"^[a-zA-Z0-9!@#$%^&*()]{8,20}$")
"""`authentication.ChangePasswordModel.newPassword`."""


@dataclass(frozen=True, slots=True)
class Caller:
    """Who calls: the operator of the token's ``operator_id`` claim and the account that logged in."""

    operator_id: str
    account_id: str

    def owns(self, operator_id: object, path: str = "operatorId") -> None:
        """Refuse a body naming another operator (403, as the OpenAPI documents).

        Raises:
            Forbidden: `operator_id` is not the caller's.
        """
        if operator_id != self.operator_id:
            raise Forbidden(f"{path} {operator_id!r} is not the caller's operator")


@dataclass(frozen=True, slots=True)
class Tokens:
    """`authentication.LoginOutputModel`."""

    access_token: str
    refresh_token: str


class AccountService:
    """The platform operator's side: operators and keys; the users' side: login, refresh, password change."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, key: SigningKey) -> None:
        self._uow, self._clock, self.key = uow, clock, key

    def add_operator(
        self,
        name: str,
        open_operator_id: str,
        account_id: str,
        password: str,
        *,
        address: str = "-",
        cidrs: tuple[str, ...] = (),
    ) -> tuple[str, str]:
        """Create an operator, its account and an API key; returns (`operatorId`, the API key, shown once).

        Raises:
            InvalidInput: a bad corporate number, account id, password or CIDR.
            Conflict: the `openOperatorId` or the account exists already.
        """
        if not fields.OPEN_OPERATOR_ID.match(open_operator_id):
            raise InvalidInput.at("openOperatorId", "must match ^[a-zA-Z0-9]{1,20}$", fields.RULE)
        if "@" not in account_id:
            raise InvalidInput.at("operatorAccountId", "must be an e-mail address", fields.RULE)
        self._check_password(password)
        try:
            credentials.address_allowed(None, cidrs)
        except ValueError as exc:
            raise InvalidInput.at("cidr", str(exc), fields.RULE) from None
        operator_id, api_key = str(uuid.uuid4()), credentials.new_api_key()
        doc: JsonObject = {
            "operatorId": operator_id,
            "operatorName": name,
            "operatorAddress": address,
            "openOperatorId": open_operator_id,
            "operatorAttribute": {"globalOperatorId": None},
        }
        with self._uow() as uow:
            repo: OuranosRepository = uow.ouranos
            if repo.find(Kind.OPERATOR, ref=open_operator_id) or repo.account(account_id):
                raise Conflict(f"operator {open_operator_id} or account {account_id} exists already")
            repo.put(Record(Kind.OPERATOR, operator_id, operator_id, doc, ref=open_operator_id))
            repo.put_account(Account(account_id, operator_id, credentials.hash_password(password)))
            repo.add_api_key(ApiKey(credentials.api_key_hash(api_key), operator_id, name, cidrs))
            uow.commit()
        logger.info("ouranos operator %s (%s) added", operator_id, open_operator_id)
        return operator_id, api_key

    def check_api_key(self, api_key: str | None, address: str | None) -> ApiKey:
        """The stored key for the ``apiKey`` header.

        Raises:
            Forbidden: a missing or unknown key ("Invalid key", 403 as the OpenAPI documents), or a key tied to
                CIDRs used from an `address` in none of them.
        """
        if not api_key:
            raise Forbidden("Invalid key: the apiKey header is required")
        with self._uow(write=False) as uow:
            key = uow.ouranos.api_key(credentials.api_key_hash(api_key))
        if key is None:
            raise Forbidden("Invalid key: unknown apiKey")
        if not credentials.address_allowed(address, key.cidrs):
            raise Forbidden(f"apiKey may not be used from {address}")
        return key

    def login(self, account_id: str, password: str) -> Tokens:
        """Tokens for a correct password; a failure counts, and `MAX_FAILURES` in a row lock the account.

        Raises:
            Unauthenticated: unknown account, wrong password, or a locked account.
        """
        with self._uow() as uow:
            account = uow.ouranos.account(account_id)
            if account is None:
                credentials.password_matches(password, _DUMMY_HASH)  # the same work: no account enumeration by time
                raise Unauthenticated("operatorAccountId or accountPassword is wrong")
            if account.locked:
                raise Unauthenticated("the account is locked after repeated failed logins")
            if not credentials.password_matches(password, account.password_hash):
                failures = account.failures + 1
                uow.ouranos.put_account(
                    replace(account, failures=failures, locked=failures >= credentials.MAX_FAILURES)
                )
                uow.commit()
                raise Unauthenticated("operatorAccountId or accountPassword is wrong")
            if account.failures:
                uow.ouranos.put_account(replace(account, failures=0))
                uow.commit()
        return Tokens(self._token(account, _ACCESS), self._token(account, _REFRESH))

    def refresh(self, refresh_token: str) -> str:
        """A new access token for a valid refresh token.

        Raises:
            Unauthenticated: invalid, expired or not a refresh token, or the account is locked.
        """
        claims = self._claims(refresh_token, _REFRESH)
        with self._uow(write=False) as uow:
            account = uow.ouranos.account(str(claims.get("sub")))
        if account is None or account.locked:
            raise Unauthenticated("the account is unknown or locked")
        return self._token(account, _ACCESS)

    def change_password(self, caller: Caller, new_password: str) -> None:
        """Set a new password for the calling account.

        Raises:
            InvalidInput: the password breaks `PASSWORD_RULE`.
        """
        self._check_password(new_password)
        with self._uow() as uow:
            account = uow.ouranos.account(caller.account_id)
            if account is None:
                raise Unauthenticated("the account is unknown")
            uow.ouranos.put_account(replace(account, password_hash=credentials.hash_password(new_password)))
            uow.commit()

    def caller(self, authorization: str | None) -> Caller:
        """The caller of a bearer access token.

        Raises:
            Unauthenticated: missing, malformed, badly signed or expired token, or a refresh token.
        """
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise Unauthenticated("Authorization: Bearer <accessToken> is required")
        claims = self._claims(token.strip(), _ACCESS)
        return Caller(str(claims["operator_id"]), str(claims.get("sub")))

    def _check_password(self, password: str) -> None:
        if not PASSWORD_RULE.match(password):
            raise InvalidInput.at("newPassword", "8 to 20 of a-z, A-Z, 0-9, !@#$%^&*()", fields.RULE)

    def _token(self, account: Account, use: str) -> str:
        now = self._clock.now()
        lifetime = ACCESS_LIFETIME if use == _ACCESS else REFRESH_LIFETIME
        claims = {
            "sub": account.account_id,
            "operator_id": account.operator_id,
            "token_use": use,
            "iat": int(now.timestamp()),
            "exp": int((now + lifetime).timestamp()),
            "jti": str(uuid.uuid4()),
        }
        return jose.sign(self.key, claims)

    def _claims(self, token: str, use: str) -> dict[str, object]:
        _, claims = jose.verify(token, self.key.public_jwk(), f"{use} token")
        jose.check_times(claims, self._clock.now(), f"{use} token")
        if claims.get("token_use") != use or not isinstance(claims.get("operator_id"), str):
            raise Unauthenticated(f"not an Ouranos {use} token")
        return claims


__all__ = ["ACCESS_LIFETIME", "PASSWORD_RULE", "REFRESH_LIFETIME", "AccountService", "Caller", "Tokens"]
