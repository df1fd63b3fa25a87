"""The `authority` role: certify members, issue their credentials (DCP 1.0 issuance), revoke them through a
Bitstring Status List, and publish the data space's signed trust list with its recognitions of foreign issuers.

Flow: `add_member` (the authority's decision, from the CLI) → the holder's `CredentialRequestMessage` arrives with
its self-issued ID token (`handle_request`) → one credential per requested type is issued, recorded with its
status-list index and written to the holder's credential service (`CredentialMessage`) → `revoke` sets the bit,
and the next status-list fetch by any verifier sees it. Recognitions change the trust list, one version each.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from passbridge.clock import Clock
from passbridge.errors import InvalidInput, NotFound, Violation
from passbridge.identity.credentials import Credential, CredentialType, StatusEntry, issue_credential, validate_subject
from passbridge.identity.did import DidResolver
from passbridge.identity.keys import SigningKey
from passbridge.identity.ports import (
    CredentialServicePort,
    IdentityUnitOfWorkFactory,
    IssuanceRequest,
    IssuedRecord,
    Member,
    StoredStatusList,
)
from passbridge.identity.refusals import Refusal, refuse
from passbridge.identity.siop import ReplayGuard, issue_si_token, verify_si_token
from passbridge.identity.statuslist import MIN_BITS, StatusList, status_list_credential
from passbridge.identity.trust import Recognition, TrustedIssuer, TrustList
from passbridge.identity.trust_wire import sign_trust_list

DCP_CONTEXT = "https://w3id.org/dspace-dcp/v1.0/dcp.jsonld"
REVOCATION_LIST = "revocation-1"
TRUST_LIST_DAYS = 30
STATUS_LIST_RESIGN = timedelta(hours=1)
"""A published status list is valid for a day and re-signed every hour, so it never lapses while unchanged."""

ISSUABLE: Mapping[str, tuple[CredentialType, ...]] = {
    "catena-x": (
        CredentialType.MEMBERSHIP,
        CredentialType.DATA_EXCHANGE_GOVERNANCE,
        CredentialType.BPN,
        CredentialType.LEGITIMATE_INTEREST,
        CredentialType.NOTIFIED_BODY,
        CredentialType.MARKET_SURVEILLANCE_AUTHORITY,
        CredentialType.COMMISSION,
    ),
    "ouranos": (CredentialType.OURANOS_OPERATOR,),
}
"""What an authority of each data space issues (its own entry on its trust list)."""


@dataclass(frozen=True, slots=True)
class AuthorityIdentity:
    """Who the authority is: DID, signing key, public base URL, data space."""

    did: str
    key: SigningKey
    base_url: str
    data_space: str

    @property
    def kid(self) -> str:
        """The verification-method id of the signing key."""
        return f"{self.did}#{self.key.kid}"

    def status_list_url(self, list_id: str = REVOCATION_LIST) -> str:
        """Where the status list credential is published."""
        return f"{self.base_url}/authority/status-lists/{list_id}"


class AuthorityService:
    """Use cases of a data-space authority node."""

    def __init__(
        self,
        uow: IdentityUnitOfWorkFactory,
        clock: Clock,
        identity: AuthorityIdentity,
        resolver: DidResolver,
        replay: ReplayGuard,
        credential_services: CredentialServicePort,
    ) -> None:
        self._uow, self._clock, self.identity = uow, clock, identity
        self._resolver, self._replay, self._outbound = resolver, replay, credential_services
        self._signed_lists: dict[tuple[str, int], tuple[datetime, str]] = {}
        self._signed_trust: tuple[tuple[int, datetime], str] | None = None

    # members and issuance -------------------------------------------------------------------------------------

    def add_member(
        self, holder_did: str, credential_type: str, claims: Mapping[str, Any], valid_days: int = 365
    ) -> Member:
        """Certify `holder_did` for `credential_type` with these subject claims (replaces an earlier entry).

        Raises:
            InvalidInput: a type this authority does not issue, a bad DID, missing or ill-typed claims.
        """
        issuable = ISSUABLE.get(self.identity.data_space, ())
        if credential_type not in {t.value for t in issuable}:
            allowed = ", ".join(t.value for t in issuable)
            raise InvalidInput([Violation("$.credentialType", f"{credential_type!r}; this authority issues {allowed}")])
        if not holder_did.startswith("did:"):
            raise InvalidInput([Violation("$.holder", f"{holder_did!r} is not a DID")])
        if not 1 <= valid_days <= 3660:
            raise InvalidInput([Violation("$.validDays", f"{valid_days} is not within 1..3660")])
        validate_subject(CredentialType(credential_type), {"id": holder_did, **claims})
        member = Member(holder_did, credential_type, dict(claims), valid_days, self._clock.now())
        with self._uow() as uow:
            uow.identity.put_member(member)
            uow.commit()
        return member

    def members(self) -> list[Member]:
        """Every certified (holder, type)."""
        with self._uow(write=False) as uow:
            return uow.identity.members()

    def issue(self, holder_did: str, credential_type: str) -> IssuedRecord:
        """Issue the credential a member is certified for, with a fresh revocation status-list index.

        Raises:
            NotFound: `holder_did` is not certified for `credential_type`.
        """
        now = self._clock.now()
        with self._uow() as uow:
            member = uow.identity.member(holder_did, credential_type)
            if member is None:
                raise NotFound(f"{holder_did} is not a certified member for {credential_type}")
            stored = uow.identity.status_list(REVOCATION_LIST) or StoredStatusList(
                REVOCATION_LIST, "revocation", 0, MIN_BITS, StatusList.empty(MIN_BITS).encode(), 1
            )
            if stored.next_index >= stored.size:
                raise InvalidInput([Violation("$", f"status list {stored.list_id} is full ({stored.size} entries)")])
            index = stored.next_index
            uow.identity.put_status_list(
                StoredStatusList(stored.list_id, stored.purpose, index + 1, stored.size, stored.encoded, stored.version)
            )
            valid_until = now + timedelta(days=member.valid_days)
            credential = Credential(
                id=f"urn:uuid:{uuid.uuid4()}",
                type=credential_type,
                issuer=self.identity.did,
                subject={"id": holder_did, **member.claims},
                valid_from=now,
                valid_until=valid_until,
                status=StatusEntry(self.identity.status_list_url(stored.list_id), index),
            )
            token = issue_credential(credential, self.identity.key, self.identity.kid)
            record = IssuedRecord(
                credential.id, holder_did, credential_type, stored.list_id, index, now, valid_until, None, token
            )
            uow.identity.add_issued(record)
            uow.commit()
        return record

    def revoke(self, credential_id: str) -> IssuedRecord:
        """Set the credential's revocation bit (effective at the next status-list fetch of each verifier).

        Raises:
            NotFound: no such credential issued here.
        """
        now = self._clock.now()
        with self._uow() as uow:
            record = uow.identity.issued(credential_id)
            if record is None:
                raise NotFound(f"no credential {credential_id} was issued by this authority")
            stored = uow.identity.status_list(record.status_list)
            if stored is None:
                raise NotFound(f"status list {record.status_list} is missing")
            bits = StatusList.decode(stored.encoded, "status list")
            bits.set(record.status_index, True)
            uow.identity.put_status_list(
                StoredStatusList(
                    stored.list_id, stored.purpose, stored.next_index, stored.size, bits.encode(), stored.version + 1
                )
            )
            uow.identity.mark_revoked(credential_id, now)
            uow.commit()
        return IssuedRecord(**{**_fields(record), "revoked_at": now})

    def issued(self, holder_did: str | None = None) -> list[IssuedRecord]:
        """Credentials issued (to one holder, or all)."""
        with self._uow(write=False) as uow:
            return uow.identity.issued_to(holder_did)

    def status_list_token(self, list_id: str) -> str:
        """The signed `BitstringStatusListCredential` for `list_id` (signed once per list version and hour).

        Raises:
            NotFound: no such list.
        """
        with self._uow(write=False) as uow:
            stored = uow.identity.status_list(list_id)
        if stored is None:
            if list_id != REVOCATION_LIST:
                raise NotFound(f"no status list {list_id}")
            stored = StoredStatusList(list_id, "revocation", 0, MIN_BITS, StatusList.empty(MIN_BITS).encode(), 0)
        now = self._clock.now()
        cached = self._signed_lists.get((list_id, stored.version))
        if cached is not None and now - cached[0] < STATUS_LIST_RESIGN:
            return cached[1]
        credential = status_list_credential(
            self.identity.did,
            self.identity.status_list_url(list_id),
            StatusList.decode(stored.encoded, "status list"),
            stored.purpose,
            now,
            now + timedelta(days=1),
        )
        token = issue_credential(credential, self.identity.key, self.identity.kid)
        self._signed_lists = {(list_id, stored.version): (now, token)}
        return token

    # DCP issuance protocol ------------------------------------------------------------------------------------

    def metadata(self) -> dict[str, Any]:
        """The `IssuerMetadata` message: one `CredentialObject` per type issued (its id is the type name)."""
        return {
            "@context": [DCP_CONTEXT],
            "type": "IssuerMetadata",
            "issuer": self.identity.did,
            "credentialsSupported": [
                {
                    "id": kind.value,
                    "type": "CredentialObject",
                    "credentialType": kind.value,
                    "bindingMethods": ["did:web"],
                    "profile": "vc20-bssl/jwt",
                }
                for kind in ISSUABLE.get(self.identity.data_space, ())
            ],
        }

    def handle_request(self, si_token: str, message: Mapping[str, Any]) -> IssuanceRequest:
        """A holder's `CredentialRequestMessage`: authenticate it, issue what the holder is certified for, deliver
        the credentials to the holder's credential service. Types it is not certified for reject the request.

        Raises:
            VerificationFailed: the SI token does not verify.
            InvalidInput: not a CredentialRequestMessage.
        """
        holder = verify_si_token(si_token, self._resolver, self.identity.did, self._clock.now(), self._replay).holder
        holder_pid, types = _parse_request(message)
        request = IssuanceRequest(str(uuid.uuid4()), holder_pid, holder, types, "RECEIVED", None, self._clock.now())
        with self._uow(write=False) as uow:
            missing = [t for t in types if uow.identity.member(holder, t) is None]
        if missing:
            request = IssuanceRequest(
                **{**_fields(request), "status": "REJECTED", "reason": f"not certified for {missing}"}
            )
            self._save(request)
            return request
        self._save(request)
        records = [self.issue(holder, kind) for kind in types]
        endpoint = self._resolver.resolve(holder).service("CredentialService")
        if endpoint is None:
            raise refuse(Refusal.DID_UNRESOLVABLE, f"{holder} has no CredentialService entry", "holder DID")
        delivery = {
            "@context": [DCP_CONTEXT],
            "type": "CredentialMessage",
            "credentials": [
                {"credentialType": r.credential_type, "payload": r.token, "format": "jwt"} for r in records
            ],
            "issuerPid": request.issuer_pid,
            "holderPid": holder_pid,
            "status": "ISSUED",
        }
        token = issue_si_token(self.identity.did, self.identity.key, self.identity.kid, holder, self._clock.now())
        self._outbound.deliver(endpoint, token, delivery)
        issued = IssuanceRequest(**{**_fields(request), "status": "ISSUED"})
        self._save(issued)
        return issued

    def request_status(self, issuer_pid: str) -> dict[str, Any]:
        """The `CredentialStatus` message of one request.

        Raises:
            NotFound: unknown request id.
        """
        with self._uow(write=False) as uow:
            request = uow.identity.request(issuer_pid)
        if request is None:
            raise NotFound(f"no credential request {issuer_pid}")
        status = {
            "@context": [DCP_CONTEXT],
            "type": "CredentialStatus",
            "issuerPid": request.issuer_pid,
            "holderPid": request.holder_pid,
            "status": request.status,
        }
        return status | ({"rejectionReason": request.reason} if request.reason else {})

    def _save(self, request: IssuanceRequest) -> None:
        with self._uow() as uow:
            uow.identity.put_request(request)
            uow.commit()

    # trust list -----------------------------------------------------------------------------------------------

    def trust_list(self) -> TrustList:
        """The current trust list (version 1 lists this authority for the types it issues)."""
        with self._uow(write=False) as uow:
            latest = uow.identity.latest_trust_list()
        if latest is not None:
            return TrustList.from_json(json.loads(latest[1]))
        now = self._clock.now()
        own = TrustedIssuer(
            self.identity.did, frozenset(t.value for t in ISSUABLE.get(self.identity.data_space, ())), "authority"
        )
        return TrustList(
            self.identity.did, self.identity.data_space, 1, now, now + timedelta(days=TRUST_LIST_DAYS), (own,), ()
        )

    def recognise(self, recognition: Recognition) -> TrustList:
        """Publish a new trust-list version with `recognition` (replacing one for the same issuer)."""
        return self._publish(lambda current, now: current.with_recognition(recognition, now))

    def withdraw(self, issuer: str) -> TrustList:
        """Publish a new trust-list version without the recognition of `issuer`.

        Raises:
            NotFound: `issuer` is not recognised.
        """
        if all(r.issuer != issuer for r in self.trust_list().recognitions):
            raise NotFound(f"{issuer} is not recognised on this trust list")
        return self._publish(lambda current, now: current.without_recognition(issuer, now))

    def _publish(self, change: Callable[[TrustList, datetime], TrustList]) -> TrustList:
        now = self._clock.now()
        updated = change(self.trust_list(), now)
        with self._uow() as uow:
            latest = uow.identity.latest_trust_list()
            version = (latest[0] if latest else 1) + 1  # version 1 is the implicit list, served before any change
            updated = TrustList(**{**_fields(updated), "version": version, "issued_at": now})
            uow.identity.add_trust_list(version, json.dumps(updated.to_json()), now)
            uow.commit()
        return updated

    def trust_list_token(self) -> str:
        """The signed current trust list (re-signed when the version changes or it nears expiry)."""
        current = self.trust_list()
        now = self._clock.now()
        if current.valid_until - now < timedelta(days=1):
            current = TrustList(**{**_fields(current), "valid_until": now + timedelta(days=TRUST_LIST_DAYS)})
        elif self._signed_trust is not None and self._signed_trust[0] == (current.version, current.issued_at):
            return self._signed_trust[1]
        token = sign_trust_list(current, self.identity.key, self.identity.kid)
        self._signed_trust = ((current.version, current.issued_at), token)
        return token


def _parse_request(message: Mapping[str, Any]) -> tuple[str, tuple[str, ...]]:
    if not isinstance(message, Mapping) or message.get("type") != "CredentialRequestMessage":
        raise InvalidInput([Violation("$.type", "must be 'CredentialRequestMessage'")])
    holder_pid = message.get("holderPid")
    if not isinstance(holder_pid, str) or not holder_pid:
        raise InvalidInput([Violation("$.holderPid", "a non-empty string is required")])
    entries = message.get("credentials")
    if not isinstance(entries, Sequence) or not entries:
        raise InvalidInput([Violation("$.credentials", "a non-empty array of {id} is required")])
    types: list[str] = []
    for position, entry in enumerate(entries):
        if not isinstance(entry, Mapping) or not isinstance(entry.get("id"), str):
            raise InvalidInput([Violation(f"$.credentials[{position}].id", "a credential object id is required")])
        types.append(entry["id"])
    return holder_pid, tuple(dict.fromkeys(types))


def _fields(record: Any) -> dict[str, Any]:
    return {name: getattr(record, name) for name in record.__dataclass_fields__}


__all__ = ["DCP_CONTEXT", "ISSUABLE", "REVOCATION_LIST", "AuthorityIdentity", "AuthorityService"]
