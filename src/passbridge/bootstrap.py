"""The composition root: Settings → engine, unit of work, key store, token issuer, passport signer, renderers →
Services.

Nothing else builds infrastructure; importing any module never connects, reads the environment or opens a socket.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

import httpx
from sqlalchemy import Engine

from passbridge.clock import Clock, SystemClock
from passbridge.dataspace_wiring import DataspaceNode, build_dataspace
from passbridge.ecosystems.catenax import battery_pass
from passbridge.ecosystems.idta import renderers as idta_renderers
from passbridge.identity.did import did_web
from passbridge.identity.keys import FileKeyStore, KeyStore
from passbridge.identity.passport_signing import SdJwtPassportSigner
from passbridge.identity.services import NodeIdentity
from passbridge.identity.tokens import TokenIssuer
from passbridge.identity_wiring import SIGNING_KEY, build_identity, outbound_client
from passbridge.link_wiring import LinkGateway, build_link
from passbridge.ouranos.services import KEY_NAME as OURANOS_KEY, OuranosPlatform
from passbridge.passport.ports import Renderer
from passbridge.passport.services import PassportService
from passbridge.settings import NodeRole, Settings
from passbridge.storage.changes import change_watch
from passbridge.storage.engine import make_engine
from passbridge.storage.migrate import upgrade
from passbridge.storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from passbridge.supplychain.services import SupplyChainService

logger = logging.getLogger(__name__)

TOKEN_KEY = "node-token"


@dataclass(frozen=True, slots=True)
class Services:
    """Everything the entrypoints (API, CLI, web) call."""

    settings: Settings
    clock: Clock
    engine: Engine
    uow: SqlAlchemyUnitOfWorkFactory
    passports: PassportService
    tokens: TokenIssuer
    supplychain: SupplyChainService
    identity: NodeIdentity
    http: httpx.Client
    dataspace: DataspaceNode
    ouranos: OuranosPlatform | None = None
    """The Ouranos data transaction API, on an `ouranos-platform` node only."""
    link: LinkGateway | None = None
    """The Ouranos-Catena-X link (consents, presences, the bridge), on an `ouranos-platform` node only."""

    def close(self) -> None:
        """Stop the link and the DSP outbox worker, release the database connections and the outbound HTTP client."""
        if self.link is not None:
            self.link.close()
        self.dataspace.worker.stop()
        self.engine.dispose()
        self.http.close()


def renderers() -> Mapping[str, Renderer]:
    """The export formats, by the name used in ``?format=``."""
    return {
        battery_pass.FORMAT: battery_pass.BatteryPassRenderer(),
        idta_renderers.JOINT_FORMAT: idta_renderers.JointAspectsRenderer(),
        idta_renderers.AAS_FORMAT: idta_renderers.AasRenderer(),
    }


def bootstrap(
    settings: Settings,
    *,
    clock: Clock | None = None,
    key_store: KeyStore | None = None,
    http_client: httpx.Client | None = None,
) -> Services:
    """Build a node from its settings (migrating the database first when `auto_migrate` is on). `http_client` is
    what the node calls other parties with (tests route it to in-process nodes)."""
    clock = clock or SystemClock()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.effective_database_url)
    if settings.auto_migrate:
        upgrade(engine)
    uow = SqlAlchemyUnitOfWorkFactory(engine)
    keys = key_store or FileKeyStore(settings.key_dir)
    tokens = TokenIssuer(keys.signing_key(TOKEN_KEY))
    signer = SdJwtPassportSigner(keys.signing_key(SIGNING_KEY), did_web(settings.effective_public_url))
    passports = PassportService(uow, clock, renderers(), changes=change_watch(engine), signer=signer)
    logger.info("node ready: %s on %s", settings.node_name, engine.url.render_as_string(hide_password=True))
    supplychain = SupplyChainService(uow, clock, passports)
    http = http_client or outbound_client(settings)
    identity = build_identity(settings, clock, uow, keys, http)
    dataspace = build_dataspace(settings, clock, uow, keys, http, identity, passports, supplychain)
    ouranos = link = None
    if NodeRole.OURANOS_PLATFORM in settings.roles:
        ouranos = OuranosPlatform.build(uow, clock, keys.signing_key(OURANOS_KEY))
        issuer = (
            identity.did
            if identity.authority is not None
            else did_web(settings.authority_url or settings.effective_public_url)
        )

        def presence(presence_settings: Settings) -> Services:
            """A presence node: same clock and outbound client, its own store and keys."""
            return bootstrap(presence_settings, clock=clock, http_client=http)

        link = build_link(settings, clock, uow, ouranos, presence, identity.authority, issuer)
    return Services(
        settings, clock, engine, uow, passports, tokens, supplychain, identity, http, dataspace, ouranos, link
    )


__all__ = ["TOKEN_KEY", "Services", "bootstrap", "renderers"]
