"""DIDs and DID documents (W3C DID Core 1.0, did:web method), and the resolver port.

Every node has a ``did:web`` DID derived from its public URL (``http://127.0.0.1:8001`` →
``did:web:127.0.0.1%3A8001``) and serves its document at ``/.well-known/did.json``: its signing keys as
``JsonWebKey`` verification methods (id ``<did>#<kid>``) in ``authentication``, ``assertionMethod`` and
``capabilityInvocation``, and service entries (``CredentialService`` for DCP, ``DataService`` for DSP). Fetching
documents over HTTP is an edge (`passbridge.outbound.did_web`); here are the pure parts.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import quote, unquote, urlsplit

from passbridge.identity.keys import SigningKey
from passbridge.identity.refusals import Refusal, refuse

DID_CONTEXT = ("https://www.w3.org/ns/did/v1", "https://w3id.org/security/suites/jws-2020/v1")
RELATIONSHIPS = ("authentication", "assertionMethod", "capabilityInvocation")
CREDENTIAL_SERVICE = "CredentialService"
DATA_SERVICE = "DataService"


def did_web(base_url: str) -> str:
    """The did:web DID of a node reachable at `base_url` (scheme dropped, port %-encoded, path segments → ``:``)."""
    parts = urlsplit(base_url.rstrip("/"))
    if not parts.hostname:
        raise ValueError(f"no host in {base_url!r}")
    host = quote(parts.netloc, safe="")
    path = [quote(segment, safe="") for segment in parts.path.split("/") if segment]
    return ":".join(["did", "web", host, *path])


def did_web_url(did: str, scheme: str = "https") -> str:
    """Where a did:web DID's document lives (`scheme` ``http`` only for loopback, decided by the resolver).

    Raises:
        VerificationFailed: not a did:web DID.
    """
    if not did.startswith("did:web:") or len(did) <= len("did:web:"):
        raise refuse(Refusal.DID_UNRESOLVABLE, f"{did!r} is not a did:web DID", "DID")
    host, *path = did[len("did:web:") :].split(":")
    netloc = unquote(host)
    if "/" in netloc or "@" in netloc or not netloc:
        raise refuse(Refusal.DID_UNRESOLVABLE, f"bad host in {did!r}", "DID")
    if not path:
        return f"{scheme}://{netloc}/.well-known/did.json"
    return f"{scheme}://{netloc}/{'/'.join(unquote(p) for p in path)}/did.json"


@dataclass(frozen=True, slots=True)
class VerificationMethod:
    """A public key in a DID document (type ``JsonWebKey2020``)."""

    id: str
    controller: str
    jwk: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Service:
    """A service entry (``CredentialService``, ``DataService`` …)."""

    id: str
    type: str
    endpoint: str


@dataclass(frozen=True, slots=True)
class DidDocument:
    """The parts of a DID document passbridge uses."""

    id: str
    methods: tuple[VerificationMethod, ...]
    relationships: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    services: tuple[Service, ...] = ()

    def key(self, kid: str | None, relationship: str = "assertionMethod", subject: str = "token") -> Mapping[str, Any]:
        """The public JWK a JWS header ``kid`` names (full ``did#frag`` or bare ``frag``), checked to have
        `relationship`; without a kid only a document with exactly one such key will do (DCP base protocol).

        Raises:
            VerificationFailed: no such key, or not with that relationship.
        """
        allowed = set(self.relationships.get(relationship, ()))
        candidates = [m for m in self.methods if m.id in allowed]
        if kid is None:
            if len(candidates) != 1:
                raise refuse(
                    Refusal.UNKNOWN_KEY, f"no kid and {len(candidates)} {relationship} keys in {self.id}", subject
                )
            return candidates[0].jwk
        wanted = kid if "#" in kid else f"{self.id}#{kid}"
        if kid.startswith("did:") and not kid.startswith(self.id + "#"):
            raise refuse(Refusal.WRONG_ISSUER, f"kid {kid!r} belongs to another DID than {self.id}", subject)
        for method in candidates:
            if method.id == wanted:
                return method.jwk
        raise refuse(Refusal.UNKNOWN_KEY, f"{wanted!r} is not a {relationship} key of {self.id}", subject)

    def service(self, service_type: str) -> str | None:
        """The endpoint of the first service of `service_type`."""
        return next((s.endpoint for s in self.services if s.type == service_type), None)

    def to_json(self) -> dict[str, Any]:
        """The document as served (``application/did+json``)."""
        return {
            "@context": list(DID_CONTEXT),
            "id": self.id,
            "verificationMethod": [
                {"id": m.id, "type": "JsonWebKey2020", "controller": m.controller, "publicKeyJwk": dict(m.jwk)}
                for m in self.methods
            ],
            **{name: list(ids) for name, ids in self.relationships.items()},
            "service": [{"id": s.id, "type": s.type, "serviceEndpoint": s.endpoint} for s in self.services],
        }

    @classmethod
    def from_json(cls, document: Any, expected_id: str | None = None) -> DidDocument:
        """Parse a fetched document (relationship entries may be ids or embedded methods).

        Raises:
            VerificationFailed: not a DID document, or its ``id`` is not `expected_id`.
        """
        try:
            did = str(document["id"])
            methods = [
                VerificationMethod(str(m["id"]), str(m.get("controller", did)), dict(m["publicKeyJwk"]))
                for m in document.get("verificationMethod", [])
                if isinstance(m, dict) and "publicKeyJwk" in m
            ]
            relationships: dict[str, tuple[str, ...]] = {}
            for name in RELATIONSHIPS:
                ids: list[str] = []
                for entry in document.get(name, []):
                    if isinstance(entry, str):
                        ids.append(entry if "#" not in entry or not entry.startswith("#") else did + entry)
                    elif isinstance(entry, dict) and "publicKeyJwk" in entry:
                        methods.append(VerificationMethod(str(entry["id"]), did, dict(entry["publicKeyJwk"])))
                        ids.append(str(entry["id"]))
                relationships[name] = tuple(ids)
            services = tuple(
                Service(str(s["id"]), str(s["type"]), str(s["serviceEndpoint"]))
                for s in document.get("service", [])
                if isinstance(s, dict)
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise refuse(Refusal.DID_UNRESOLVABLE, f"not a DID document: missing {exc}", "DID") from None
        methods = [
            m if not m.id.startswith("#") else VerificationMethod(did + m.id, m.controller, m.jwk) for m in methods
        ]
        if expected_id is not None and did != expected_id:
            raise refuse(Refusal.DID_UNRESOLVABLE, f"document id {did!r} ≠ {expected_id!r}", "DID")
        return cls(did, tuple(methods), relationships, services)


def build_document(did: str, keys: Sequence[SigningKey], services: Iterable[tuple[str, str]] = ()) -> DidDocument:
    """The DID document of a node: `keys` (current first, then retained) in every relationship; `services` as
    (type, endpoint) pairs, ids ``<did>#<type>``."""
    methods = tuple(VerificationMethod(f"{did}#{k.kid}", did, k.public_jwk()) for k in keys)
    ids = tuple(m.id for m in methods)
    return DidDocument(
        did,
        methods,
        dict.fromkeys(RELATIONSHIPS, ids),
        tuple(Service(f"{did}#{kind}", kind, endpoint) for kind, endpoint in services),
    )


class DidResolver(Protocol):
    """Finds the DID document of a DID."""

    def resolve(self, did: str) -> DidDocument:
        """The document.

        Raises:
            VerificationFailed: unresolvable (``did-unresolvable``) or refused address (``address-refused``).
        """


class StaticDidResolver:
    """Documents known in advance (``passbridge verify --did-document``, tests)."""

    def __init__(self, documents: Iterable[DidDocument] = ()) -> None:
        self._documents = {d.id: d for d in documents}

    def add(self, document: DidDocument) -> None:
        """Know one more document (replacing one with the same id)."""
        self._documents[document.id] = document

    def resolve(self, did: str) -> DidDocument:
        """The document, or `VerificationFailed` (did-unresolvable)."""
        try:
            return self._documents[did]
        except KeyError:
            raise refuse(Refusal.DID_UNRESOLVABLE, f"unknown DID {did!r}", "DID") from None


class CachingDidResolver:
    """Remembers resolved documents for `ttl_seconds` (failures are not cached)."""

    def __init__(
        self, inner: DidResolver, ttl_seconds: float = 300.0, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self._inner, self._ttl, self._monotonic = inner, ttl_seconds, monotonic
        self._cache: dict[str, tuple[float, DidDocument]] = {}

    def resolve(self, did: str) -> DidDocument:
        """The cached document, refreshed after the TTL."""
        now = self._monotonic()
        hit = self._cache.get(did)
        if hit is not None and now - hit[0] < self._ttl:
            return hit[1]
        document = self._inner.resolve(did)
        self._cache[did] = (now, document)
        return document

    def cached(self, did: str) -> DidDocument | None:
        """The document if a fresh one is cached, else None; never resolves (for callers that must not wait)."""
        hit = self._cache.get(did)
        return hit[1] if hit is not None and self._monotonic() - hit[0] < self._ttl else None

    def forget(self, did: str | None = None) -> None:
        """Drop one DID (after a key rotation) or everything."""
        if did is None:
            self._cache.clear()
        else:
            self._cache.pop(did, None)


__all__ = [
    "CREDENTIAL_SERVICE",
    "DATA_SERVICE",
    "DID_CONTEXT",
    "RELATIONSHIPS",
    "CachingDidResolver",
    "DidDocument",
    "DidResolver",
    "Service",
    "StaticDidResolver",
    "VerificationMethod",
    "build_document",
    "did_web",
    "did_web_url",
]
