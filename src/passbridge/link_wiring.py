"""Composition of the Ouranos-Catena-X link on an `ouranos-platform` node (part of the composition root, kept apart
from `bootstrap` for size).

Each consenting operator gets a *presence*: a company node of its own — DID, keys, wallet, DCP credential service,
DSP connector and data plane — hosted by the platform under ``<platform URL>/link/<operatorId>`` (so its DID is
``did:web:<host>:link:<operatorId>``), the way Catena-X service providers host one connector and wallet per
business partner. A presence keeps its connector state in its own SQLite file under the platform's data dir
(``link/<operatorId>/``); the consents, participants, parts, CFPs and ACLs it serves live in the platform's
database. Its trust anchor is the Ouranos authority (the platform itself when it holds the `authority` role), whose
trust list recognises Catena-X credentials; its PCF datasets are `link.pcf_source.OuranosPcfSource`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from passbridge.clock import Clock
from passbridge.dataspace.catalog import Dataset
from passbridge.dataspace.offers import PCF_SEMANTIC_ID
from passbridge.ecosystems.catenax.pcf import BATTERY_COMPONENT_1_0_0
from passbridge.errors import CounterpartyError
from passbridge.identity.authority import AuthorityService
from passbridge.identity.credentials import CredentialType
from passbridge.identity.did import did_web
from passbridge.link import records
from passbridge.link.bridge import LinkService
from passbridge.link.pcf_source import OuranosPcfSource
from passbridge.ouranos import fields as f
from passbridge.ouranos.model import Kind
from passbridge.ouranos.services import OuranosPlatform
from passbridge.settings import NodeRole, Settings
from passbridge.storage.unit_of_work import SqlAlchemyUnitOfWorkFactory

if TYPE_CHECKING:
    from passbridge.bootstrap import Services

PATH: str = "/link"
"""Where the presences are mounted on the platform."""


def _is_pcf(dataset: Dataset) -> bool:
    return any(value == {"@id": PCF_SEMANTIC_ID} or value == PCF_SEMANTIC_ID for value in dataset.extra.values())


class HostedPresence:
    """One operator's presence: its node services."""

    def __init__(self, operator_id: str, services: Services) -> None:
        self.operator_id, self.services = operator_id, services

    @property
    def did(self) -> str:
        """The operator's DID on Catena-X."""
        return self.services.identity.did

    def pcf_datasets(self, provider: str) -> list[str]:
        """The PCF datasets `provider` offers this operator (one DSP catalog request)."""
        return [d.id for d in self.services.dataspace.consumer.datasets(provider) if _is_pcf(d)]

    def fetch_pcf(self, dataset_id: str, provider: str) -> bytes:
        """The 1.0.0 battery-component PCF of `dataset_id` (negotiation, transfer and pull; reused while valid)."""
        return self.services.dataspace.consumer.fetch(dataset_id, provider, BATTERY_COMPONENT_1_0_0).body


class PresenceHost:
    """Starts, certifies, finds and stops the presences of one platform."""

    def __init__(
        self,
        settings: Settings,
        clock: Clock,
        uow: SqlAlchemyUnitOfWorkFactory,
        build: Callable[[Settings], Services],
        authority: AuthorityService | None,
        issuer_did: str,
    ) -> None:
        self._settings, self._clock, self._uow, self._build = settings, clock, uow, build
        self._authority, self._issuer_did = authority, issuer_did
        self._running: dict[str, HostedPresence] = {}
        self._lock = threading.RLock()

    def url_of(self, operator_id: str) -> str:
        """The base URL of an operator's presence."""
        return f"{self._settings.effective_public_url}{PATH}/{operator_id}"

    def did_of(self, operator_id: str) -> str:
        """The DID of an operator's presence."""
        return did_web(self.url_of(operator_id))

    def _presence_settings(self, operator_id: str, name: str) -> Settings:
        platform = self._settings
        trust_url = platform.effective_public_url if NodeRole.AUTHORITY in platform.roles else platform.authority_url
        return Settings(
            data_dir=platform.data_dir / "link" / operator_id,
            public_url=self.url_of(operator_id),
            roles=(NodeRole.COMPANY,),
            host=platform.host,
            port=platform.port,
            node_name=f"{name} (Ouranos operator, via the link)",
            data_space="ouranos",
            authority_url=trust_url,
            allow_http_loopback=platform.allow_http_loopback,
            allowed_hosts=platform.allowed_hosts,
            identity_cache_seconds=platform.identity_cache_seconds,
            max_body_bytes=platform.max_body_bytes,
        )

    def presence(self, operator_id: str) -> HostedPresence | None:
        """The running presence of a consenting operator (started on first use); None without consent."""
        with self._lock:
            running = self._running.get(operator_id)
            if running is not None:
                return running
            with self._uow(write=False) as uow:
                consent = records.consent_of(uow.ouranos, operator_id)
                operator = uow.ouranos.get(Kind.OPERATOR, operator_id)
            if consent is None or operator is None:
                return None
            name = str(f.obj(operator.doc, "$").get("operatorName") or operator_id)
            services = self._build(self._presence_settings(operator_id, name))
            source = OuranosPcfSource(self._uow, self._clock, operator_id)
            services.dataspace.service.offer_pcf(source)
            services.dataspace.dataplane.offer_pcf(source)
            services.dataspace.worker.start()
            presence = HostedPresence(operator_id, services)
            self._running[operator_id] = presence
            return presence

    def open(self, consent: records.Consent) -> HostedPresence:
        """Start a new consent's presence and certify it: the Ouranos authority lists the presence's DID for an
        `OuranosOperatorCredential` (when it is this node) and the presence requests the credential over DCP."""
        presence = self.presence(consent.operator_id)
        if presence is None:
            raise LookupError(f"operator {consent.operator_id} has no consent")
        kind = CredentialType.OURANOS_OPERATOR.value
        if self._authority is not None:
            with self._uow(write=False) as uow:
                operator = uow.ouranos.get(Kind.OPERATOR, consent.operator_id)
            assert operator is not None
            claims = {
                "operatorId": consent.operator_id,
                "openOperatorId": str(f.obj(operator.doc, "$")["openOperatorId"]),
                "certificationStatus": "certified",
            }
            self._authority.add_member(presence.did, kind, claims)
        holder = presence.services.identity.holder
        holder.request_credentials(self._issuer_did, [kind])
        if not any(entry.credential_type == kind for entry in holder.wallet()):
            raise CounterpartyError("issuance", f"{self._issuer_did} issued no {kind} to {presence.did}")
        return presence

    def services_of(self, operator_id: str) -> Services | None:
        """What the platform's HTTP front serves under ``/link/<operatorId>``: checked against the stored consent on
        every request, so a consent withdrawn by another process (the CLI) takes effect at once."""
        with self._uow(write=False) as uow:
            consented = records.consent_of(uow.ouranos, operator_id) is not None
        if not consented:
            self.close_one(operator_id)
            return None
        presence = self.presence(operator_id)
        return presence.services if presence is not None else None

    @staticmethod
    def _stop(presence: HostedPresence) -> None:
        """Stop a presence's worker and release its database (the outbound client is the platform's)."""
        presence.services.dataspace.worker.stop()
        presence.services.engine.dispose()

    def close_one(self, operator_id: str) -> None:
        """Stop an operator's presence."""
        with self._lock:
            presence = self._running.pop(operator_id, None)
        if presence is not None:
            self._stop(presence)

    def close(self) -> None:
        """Stop every presence."""
        with self._lock:
            running, self._running = list(self._running.values()), {}
        for presence in running:
            self._stop(presence)


@dataclass(frozen=True, slots=True)
class LinkGateway:
    """The link on a platform node: the service and the presences it hosts."""

    service: LinkService
    host: PresenceHost

    def close(self) -> None:
        """Stop the bridge thread and every presence."""
        self.service.stop()
        self.host.close()


def build_link(
    settings: Settings,
    clock: Clock,
    uow: SqlAlchemyUnitOfWorkFactory,
    platform: OuranosPlatform,
    build: Callable[[Settings], Services],
    authority: AuthorityService | None,
    issuer_did: str,
) -> LinkGateway:
    """The link gateway of an `ouranos-platform` node."""
    host = PresenceHost(settings, clock, uow, build, authority, issuer_did)
    return LinkGateway(LinkService(uow, platform, host), host)


__all__ = ["PATH", "HostedPresence", "LinkGateway", "PresenceHost", "build_link"]
