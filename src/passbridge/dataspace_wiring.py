"""Composition of a node's data-space connector (part of the composition root, kept apart from `bootstrap` for
size): the passports as DSP assets, the DSP client with the node's address policy and DCP tokens, the provider /
consumer services, the outbox and its worker, and — when the settings declare a BPNL (`Settings.pcf`) — the
carbon footprints of our released parts as PCF datasets (`pcf_source`).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import httpx

from passbridge.clock import Clock
from passbridge.dataspace.callbacks import ConsumerCallbacks
from passbridge.dataspace.consumer import ConsumerService
from passbridge.dataspace.dataplane import PUBLIC_LEVEL
from passbridge.dataspace.edr import DataPlaneService
from passbridge.dataspace.node import NodeProfile
from passbridge.dataspace.ports import RenderedAsset
from passbridge.dataspace.services import DataspaceService
from passbridge.ecosystems.catenax.battery_pass import FORMAT as DEFAULT_FORMAT
from passbridge.ecosystems.catenax.pcf import PcfContext
from passbridge.ecosystems.catenax.supplychain_pcf import SupplyChainPcf
from passbridge.identity.credentials import CredentialType
from passbridge.identity.did import CachingDidResolver
from passbridge.identity.keys import KeyStore
from passbridge.identity.services import NodeIdentity
from passbridge.identity_wiring import address_policy
from passbridge.outbound.did_web import DidWebResolver
from passbridge.outbound.dsp_client import DspClient
from passbridge.outbound.worker import OutboxWorker
from passbridge.passport.access import Role
from passbridge.passport.model import PassportId
from passbridge.passport.services import PassportService
from passbridge.settings import Settings
from passbridge.storage.changes import change_watch
from passbridge.storage.dataspace import SqlOutboxQueue
from passbridge.storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from passbridge.supplychain.model import Part
from passbridge.supplychain.services import SupplyChainService

DATAPLANE_KEY = "dsp-dataplane"
"""Signs the data plane's access tokens (never published: only this node checks them)."""

WALLET_TYPES_SECONDS = 5.0

MEMBERSHIP = [CredentialType.MEMBERSHIP.value]
"""What every DSP caller must prove (directly, or by a recognised foreign credential)."""


class PassportAssets:
    """The passports as DSP datasets (`AssetSource`): dataset id = ``urn:uuid:<passport id>``."""

    def __init__(self, passports: PassportService) -> None:
        self._passports = passports

    def dataset_ids(self, after: str | None, limit: int) -> Sequence[str]:
        """A page of passport dataset ids."""
        start = PassportId.parse(after) if after else None
        return [entry.passport_id.urn for entry in self._passports.listing(after=start, limit=limit)]

    def exists(self, dataset_id: str) -> bool:
        """Whether a passport with this dataset id exists."""
        try:
            passport = PassportId.parse(dataset_id)
        except Exception:
            return False
        return passport.urn == dataset_id and bool(self._passports.existing([passport]))

    def render(self, dataset_id: str, level: str, fmt: str | None) -> RenderedAsset:
        """The passport as the reader role of `level` sees it (``public`` = anonymous)."""
        role = Role.ANONYMOUS if level == PUBLIC_LEVEL else Role(level)
        if role is Role.OWNER:  # never through the data space
            role = Role.ANONYMOUS
        view = self._passports.read(PassportId.parse(dataset_id), role, fmt or DEFAULT_FORMAT)
        return RenderedAsset(view.body, view.media_type)


@dataclass(frozen=True, slots=True)
class DataspaceNode:
    """The data-space parts of a node."""

    service: DataspaceService
    callbacks: ConsumerCallbacks
    dataplane: DataPlaneService
    consumer: ConsumerService
    client: DspClient
    worker: OutboxWorker


def pcf_source(
    settings: Settings, clock: Clock, uow: SqlAlchemyUnitOfWorkFactory, supplychain: SupplyChainService
) -> SupplyChainPcf | None:
    """Our parts' PCFs as DSP datasets, with the declarations of `settings.pcf`; None when no BPNL is set.

    Each PCF names our part by its Ouranos ``partsName`` (also as the customer's id: a partner gives none in the
    ACL) and is ``created`` when it is rendered.
    """
    declared = settings.pcf
    if declared is None or not declared.enabled:
        return None

    def context_for(part: Part) -> PcfContext:
        return declared.context(part.parts_name, part.parts_name, created=clock.now())

    return SupplyChainPcf(supplychain, uow, context_for)


def build_dataspace(
    settings: Settings,
    clock: Clock,
    uow: SqlAlchemyUnitOfWorkFactory,
    keys: KeyStore,
    http: httpx.Client,
    identity: NodeIdentity,
    passports: PassportService,
    supplychain: SupplyChainService | None = None,
) -> DataspaceNode:
    """The connector of one node; with `supplychain`, also its PCF datasets when `settings.pcf` names a BPNL."""
    policy = address_policy(settings)
    node = NodeProfile(identity.did, settings.effective_public_url, keys.signing_key(DATAPLANE_KEY))
    resolver = CachingDidResolver(DidWebResolver(http, policy), ttl_seconds=settings.identity_cache_seconds)

    held: list[tuple[float, list[str]]] = []

    def mint(audience: str) -> str:
        """An SI token for `audience` granting the verifier every credential type we hold (read at most every
        `WALLET_TYPES_SECONDS`: the wallet changes when credentials are issued, not per message)."""
        if not held or time.monotonic() - held[0][0] > WALLET_TYPES_SECONDS:
            held[:] = [(time.monotonic(), sorted({entry.credential_type for entry in identity.holder.wallet()}))]
        return identity.holder.self_issued_token(audience, held[0][1])

    queue = SqlOutboxQueue(uow)
    client = DspClient(http, policy, resolver, mint)
    worker = OutboxWorker(queue, client, clock)
    assets = PassportAssets(passports)
    service = DataspaceService(uow, clock, node, assets, worker, client.check_address, changes=change_watch(uow.engine))
    client.bind(prepare=service.outgoing_body, give_up=service.abandon)
    callbacks = ConsumerCallbacks(uow, clock, worker, service.waiters, service.check_callback)
    consumer = ConsumerService(uow, clock, node, client, service.waiters)
    dataplane = DataPlaneService(uow, clock, node, assets)
    pcf = None if supplychain is None else pcf_source(settings, clock, uow, supplychain)
    if pcf is not None:
        service.offer_pcf(pcf)
        dataplane.offer_pcf(pcf)
    return DataspaceNode(service, callbacks, dataplane, consumer, client, worker)


__all__ = [
    "DATAPLANE_KEY",
    "MEMBERSHIP",
    "WALLET_TYPES_SECONDS",
    "DataspaceNode",
    "PassportAssets",
    "build_dataspace",
    "pcf_source",
]
