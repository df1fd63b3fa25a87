"""A tiny in-memory identity world: an issuer, a holder, a verifier, a stranger and an Ouranos registry, each a
did:web DID with a key in a `StaticDidResolver`; a status-list source (a dict of URL → JWT); a fake trust list with
the same `accept` as `passbridge.identity.trust.TrustList`; and builders of credentials and presentations."""

from __future__ import annotations

import base64
import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from passbridge.errors import VerificationFailed
from passbridge.identity import keys
from passbridge.identity.acceptance import VerifiedPresentation
from passbridge.identity.credentials import Credential, CredentialType, StatusEntry, issue_credential
from passbridge.identity.did import DidDocument, StaticDidResolver, build_document
from passbridge.identity.presentations import issue_presentation
from passbridge.identity.refusals import Refusal, refuse
from passbridge.identity.statuslist import StatusList, status_list_credential
from passbridge.identity.verifier import PresentationVerifier

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
ISSUER_DID = "did:web:issuer.example"
HOLDER_DID = "did:web:holder.example"
VERIFIER_DID = "did:web:verifier.example"
STRANGER_DID = "did:web:stranger.example"
OURANOS_DID = "did:web:registry.ouranos.example"
STATUS_URL = "https://issuer.example/status/1"
PURPOSE = "dataspace"
SMALL_LIST_BITS = 1024  # tests publish small lists; MIN_BITS is for issuers

MEMBERSHIP = CredentialType.MEMBERSHIP.value
BPN = CredentialType.BPN.value
DEG = CredentialType.DATA_EXCHANGE_GOVERNANCE.value
OPERATOR = CredentialType.OURANOS_OPERATOR.value
LEGITIMATE_INTEREST = CredentialType.LEGITIMATE_INTEREST.value

CLAIMS: Mapping[str, Mapping[str, str]] = {
    MEMBERSHIP: {"holderIdentifier": "BPNL000000000001", "memberOf": "Catena-X"},
    BPN: {"holderIdentifier": "BPNL000000000001", "bpn": "BPNL000000000001"},
    DEG: {
        "holderIdentifier": "BPNL000000000001",
        "group": "UseCaseFramework",
        "useCase": "DataExchangeGovernance",
        "contractTemplate": "https://catena-x.net/en/catena-x-introduce-implement/governance-framework-for-data-space-operations",
        "contractVersion": "1.0",
    },
    OPERATOR: {"operatorId": "OP-1", "openOperatorId": "1180301018771", "certificationStatus": "certified"},
    LEGITIMATE_INTEREST: {"holderIdentifier": "recycler-42"},
}


def b64(data: bytes | Mapping[str, Any]) -> str:
    """base64url without padding of bytes, or of a JSON object."""
    raw = json.dumps(data).encode() if isinstance(data, Mapping) else data
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unb64(part: str) -> Any:
    """The JSON inside a base64url token part."""
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def refusal_of(error: pytest.ExceptionInfo[VerificationFailed]) -> Refusal:
    """The refusal code of a caught `VerificationFailed`."""
    return Refusal(error.value.refusal)


@dataclass(frozen=True)
class Party:
    """A DID and its signing key."""

    did: str
    key: keys.SigningKey

    @property
    def kid(self) -> str:
        """The full verification method id."""
        return f"{self.did}#{self.key.kid}"


@dataclass(frozen=True)
class FakeAcceptance:
    """Same shape as `passbridge.identity.trust.Acceptance`."""

    our_type: str
    via: str


class FakeTrustList:
    """The `TrustList.accept` contract: `direct` issuers → types; `recognised` (issuer, foreign type) → our type;
    recognitions of issuers in `out_of_scope` are refused as out of scope."""

    def __init__(self) -> None:
        self.direct: dict[str, set[str]] = {}
        self.recognised: dict[tuple[str, str], str] = {}
        self.out_of_scope: set[str] = set()
        self.calls = 0

    def accept(
        self,
        issuer: str,
        credential_types: Sequence[str],
        subject: Mapping[str, Any],
        wanted_type: str,
        now: datetime,
        purpose: str,
    ) -> FakeAcceptance:
        self.calls += 1
        if wanted_type in credential_types and wanted_type in self.direct.get(issuer, set()):
            return FakeAcceptance(wanted_type, "direct")
        for kind in credential_types:
            if self.recognised.get((issuer, kind)) == wanted_type:
                if issuer in self.out_of_scope:
                    raise refuse(Refusal.RECOGNITION_OUT_OF_SCOPE, f"{issuer} recognition expired", "credential")
                return FakeAcceptance(wanted_type, "recognition:ouranos")
        raise refuse(Refusal.ISSUER_NOT_TRUSTED, f"{issuer} is not trusted for {wanted_type}", "credential")


class FakeTrustSource:
    """`TrustListSource` returning one list."""

    def __init__(self, trust_list: Any) -> None:
        self.trust_list = trust_list

    def current(self) -> Any:
        return self.trust_list


class DictStatusSource:
    """`StatusListSource` over a dict; an unknown URL is unreachable. Counts fetches."""

    def __init__(self) -> None:
        self.lists: dict[str, str] = {}
        self.fetches: Counter[str] = Counter()

    def fetch(self, url: str) -> str:
        self.fetches[url] += 1
        if url not in self.lists:
            raise refuse(Refusal.STATUS_UNAVAILABLE, f"{url} did not answer", "status list")
        return self.lists[url]


class CountingResolver:
    """A `StaticDidResolver` that counts resolutions per DID (each signature check resolves the signer once)."""

    def __init__(self, documents: Iterable[DidDocument]) -> None:
        self.inner = StaticDidResolver(documents)
        self.calls: Counter[str] = Counter()

    def add(self, document: DidDocument) -> None:
        self.inner.add(document)

    def resolve(self, did: str) -> DidDocument:
        self.calls[did] += 1
        return self.inner.resolve(did)


class Monotonic:
    """A monotonic clock that moves only when told."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class World:
    """Parties, resolver, trust list and status lists, with builders."""

    def __init__(self, algorithm: str = keys.ED25519) -> None:
        self.algorithm = algorithm
        self.issuer, self.holder, self.verifier_party, self.stranger, self.ouranos = (
            Party(did, keys.generate(algorithm))
            for did in (ISSUER_DID, HOLDER_DID, VERIFIER_DID, STRANGER_DID, OURANOS_DID)
        )
        parties = (self.issuer, self.holder, self.verifier_party, self.stranger, self.ouranos)
        self.resolver = CountingResolver(build_document(p.did, [p.key]) for p in parties)
        self.trust = FakeTrustList()
        self.trust.direct[ISSUER_DID] = {MEMBERSHIP, BPN, DEG, LEGITIMATE_INTEREST}
        self.trust.recognised[(OURANOS_DID, OPERATOR)] = MEMBERSHIP
        self.status = DictStatusSource()
        self.bits = StatusList.empty(SMALL_LIST_BITS)
        self.clock = Monotonic()
        self._next_index = 0
        self.publish_status()

    def credential(
        self,
        kind: str = MEMBERSHIP,
        *,
        issuer: Party | None = None,
        issuer_did: str | None = None,
        holder: str = HOLDER_DID,
        claims: Mapping[str, Any] | None = None,
        valid_from: datetime = NOW - timedelta(days=1),
        valid_until: datetime | None = NOW + timedelta(days=365),
        index: int | None = -1,
        purpose: str = "revocation",
        kid: str | None = None,
    ) -> str:
        """A signed credential; `index` -1 takes the next free index of the issuer's status list (other signers:
        no status entry), None gives no status entry."""
        signer = issuer or self.issuer
        if index == -1 and signer is not self.issuer:
            index = None
        elif index == -1:
            index, self._next_index = self._next_index, self._next_index + 1
        credential = Credential(
            id=f"urn:uuid:credential-{kind}-{index}-{holder}",
            type=kind,
            issuer=issuer_did or signer.did,
            subject={"id": holder, **(CLAIMS.get(kind, {}) if claims is None else claims)},
            valid_from=valid_from,
            valid_until=valid_until,
            status=StatusEntry(STATUS_URL, index, purpose) if index is not None else None,
        )
        return issue_credential(credential, signer.key, kid or signer.kid)

    def publish_status(
        self,
        *,
        bits: StatusList | None = None,
        url: str = STATUS_URL,
        signer: Party | None = None,
        issuer_did: str | None = None,
        purpose: str = "revocation",
        valid_from: datetime = NOW - timedelta(hours=1),
        valid_until: datetime | None = NOW + timedelta(days=1),
    ) -> str:
        """Sign and publish a status list (by default the issuer's list of `self.bits`)."""
        party = signer or self.issuer
        credential = status_list_credential(
            issuer_did or party.did, url, bits or self.bits, purpose, valid_from, valid_until
        )
        token = issue_credential(credential, party.key, party.kid)
        self.status.lists[url] = token
        return token

    def revoke(self, index: int, *, valid_from: datetime = NOW - timedelta(minutes=30)) -> None:
        """Set a bit and republish the list (signed later than the first one)."""
        self.bits.set(index)
        self.publish_status(valid_from=valid_from)

    def presentation(
        self,
        credentials: Sequence[str],
        *,
        holder: Party | None = None,
        holder_did: str | None = None,
        audience: str = VERIFIER_DID,
        now: datetime = NOW,
        ttl_seconds: int = 300,
        nonce: str | None = None,
    ) -> str:
        """A presentation signed by `holder` (default: the holder) for `audience`."""
        party = holder or self.holder
        return issue_presentation(
            holder_did or party.did, party.key, party.kid, credentials, audience, now, ttl_seconds, nonce
        )

    def verifier(self, **options: Any) -> PresentationVerifier:
        """A verifier of this world (the monotonic clock is the world's)."""
        return PresentationVerifier(
            self.resolver, FakeTrustSource(self.trust), self.status, monotonic=self.clock, **options
        )

    def verify(
        self,
        token: str,
        *,
        wanted: Sequence[str] = (MEMBERSHIP,),
        holder: str = HOLDER_DID,
        audience: str = VERIFIER_DID,
        now: datetime = NOW,
        verifier: PresentationVerifier | None = None,
    ) -> VerifiedPresentation:
        """Verify `token` as the verifier, for the holder, wanting `wanted`."""
        return (verifier or self.verifier()).verify_presentation(
            token, holder=holder, audience=audience, wanted=wanted, purpose=PURPOSE, now=now
        )


@pytest.fixture(params=[keys.ED25519, keys.ES256])
def world(request: pytest.FixtureRequest) -> World:
    """A world whose keys use each supported algorithm in turn."""
    return World(request.param)


@pytest.fixture
def ed_world() -> World:
    """A world with Ed25519 keys."""
    return World(keys.ED25519)
