"""The demo's cast, each its own node on loopback, and what the story steps share.

Cast (DESIGN §1):

- ``ouranos``: the Ouranos platform (roles ``ouranos-platform`` and ``authority``, data space ``ouranos``): it runs
  the data transaction system and is the certifying authority of its operators;
- ``catenax``: the Catena-X authority (role ``authority``, data space ``catena-x``);
- ``cathode``, ``cell``: the Japanese cathode maker and cell maker, company nodes of Ouranos operators (accounts
  on the platform, `OuranosOperatorCredential` from it; their verifiers use the Ouranos trust list);
- ``oem``, ``recycler``: the European pack maker/OEM and recycler, company nodes of Catena-X members;
- ``notified_body``: a notified body certified by Catena-X (it reads the restricted passport fields).

The recycler declares its PCF settings (`Settings.pcf`), so its node offers its lots' carbon footprints over DSP
from the start.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from passbridge.demo.launcher import Launcher, RunningNode
from passbridge.errors import PassbridgeError
from passbridge.jsoncodec import loads_exact
from passbridge.passport.access import Role
from passbridge.pcf_settings import PcfSettings
from passbridge.settings import NodeRole

OWNER_TOKEN_SECONDS = 3600
OURANOS_PASSWORD = "Demo#Passw0rd"
"""Every demo operator's platform password (the story logs in with it, as the companies' tools do)."""
HTTP_TIMEOUT_SECONDS = 60.0


class StoryStepFailed(PassbridgeError):
    """A demo step got an answer it did not expect (the story stops there, naming the step and the answer)."""


@dataclass
class World:
    """Every node of the demo (`nodes`, by name; also as attributes), the HTTP client the companies' operators use
    to drive their own nodes, and what the story found (`outcome`, written to ``outcome.json``)."""

    workdir: Path
    ouranos: RunningNode
    catenax: RunningNode
    cathode: RunningNode
    cell: RunningNode
    oem: RunningNode
    recycler: RunningNode
    notified_body: RunningNode
    http: httpx.Client
    outcome: dict[str, Any] = field(default_factory=dict)
    passports: list[str] = field(default_factory=list)
    """The OEM's passport ids (battery 1 stays in use, battery 2 reaches end of life)."""
    operators: dict[str, str] = field(default_factory=dict)
    """Node name → its Ouranos ``operatorId`` on the platform."""
    ouranos_logins: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Node name → (its API key, its account) on the platform (the password is `OURANOS_PASSWORD`)."""

    @property
    def nodes(self) -> dict[str, RunningNode]:
        """Every node by its name."""
        return {
            n.name: n
            for n in (self.ouranos, self.catenax, self.cathode, self.cell, self.oem, self.recycler, self.notified_body)
        }

    def owner(self, node: RunningNode) -> dict[str, str]:
        """Headers of `node`'s own operator (an owner bearer token of that node)."""
        services = node.services
        token = services.tokens.issue(Role.OWNER, f"{node.name} operator", services.clock.now(), OWNER_TOKEN_SECONDS)
        return {"Authorization": f"Bearer {token}"}

    def call(self, method: str, url: str, *, expect: int = 200, **kwargs: Any) -> httpx.Response:
        """One HTTP request; an unexpected status stops the story with the answer.

        Raises:
            StoryStepFailed: the status is not `expect`.
        """
        response = self.http.request(method, url, **kwargs)
        if response.status_code != expect:
            raise StoryStepFailed(f"{method} {url} answered {response.status_code}: {response.text[:500]}")
        return response


def json_of(raw: bytes) -> Any:
    """A JSON body with exact decimals, untyped (the story reads a few members of partners' documents)."""
    return loads_exact(raw)


def recycler_pcf(now: datetime) -> PcfSettings:
    """The recycler's own PCF declarations (its BPNL and site, this year's validity, last year's figures)."""
    year = now.year
    return PcfSettings(
        bpnl="BPNL0000000RCY01",
        bpns="BPNS0000000RCY01",
        company_name="Rhein Recycling GmbH",
        region="Western Europe",
        valid_from=datetime(year, 1, 1, tzinfo=UTC),
        valid_to=datetime(year, 12, 31, 23, 59, 59, tzinfo=UTC),
        reference_period_start=datetime(year - 1, 1, 1, tzinfo=UTC),
        reference_period_end=datetime(year - 1, 12, 31, 23, 59, 59, tzinfo=UTC),
        exempted_emissions_percent=Decimal(0),
        ccs_included=False,
    )


def start_cast(launcher: Launcher, workdir: Path, *, oem_port: int = 0) -> World:
    """Start every node (authorities first: the members' trust lists point at them); the OEM on `oem_port`; the
    story's files (QR codes, ``outcome.json``) go to `workdir`."""
    company = (NodeRole.COMPANY,)
    ouranos = launcher.start(
        "ouranos-platform",
        "Ouranos platform (data transaction system + certifying authority)",
        roles=(NodeRole.OURANOS_PLATFORM, NodeRole.AUTHORITY),
        data_space="ouranos",
    )
    catenax = launcher.start("catena-x-authority", "Catena-X authority", roles=(NodeRole.AUTHORITY,))
    jp: dict[str, Any] = {"roles": company, "data_space": "ouranos", "authority_url": ouranos.url}
    eu: dict[str, Any] = {"roles": company, "data_space": "catena-x", "authority_url": catenax.url}
    cathode = launcher.start("jp-cathode-maker", "Kansai Cathode Materials K.K. (JP, Ouranos)", **jp)
    cell = launcher.start("jp-cell-maker", "Tohoku Cell K.K. (JP, Ouranos)", **jp)
    oem = launcher.start("eu-oem", "Europa Motors AG (EU pack maker/OEM, Catena-X)", port=oem_port, **eu)
    recycler = launcher.start(
        "eu-recycler", "Rhein Recycling GmbH (EU, Catena-X)", pcf=recycler_pcf(datetime.now(UTC)), **eu
    )
    body = launcher.start("eu-notified-body", "Notified body NB 0123 (EU, Catena-X)", **eu)
    http = httpx.Client(timeout=HTTP_TIMEOUT_SECONDS, trust_env=False)
    return World(workdir, ouranos, catenax, cathode, cell, oem, recycler, body, http)


def wait_issued(world: World, node: RunningNode, location: str) -> None:
    """Wait until the credential request at `location` is ISSUED.

    Raises:
        StoryStepFailed: it was rejected, or not issued within 20 s.
    """
    deadline = time.monotonic() + 20
    while True:
        status = world.call("GET", location).json().get("status")
        if status == "ISSUED":
            return
        if status == "REJECTED" or time.monotonic() > deadline:
            raise StoryStepFailed(f"the credential request of {node.name} is {status}")
        time.sleep(0.05)


__all__ = [
    "HTTP_TIMEOUT_SECONDS",
    "OURANOS_PASSWORD",
    "OWNER_TOKEN_SECONDS",
    "StoryStepFailed",
    "World",
    "json_of",
    "recycler_pcf",
    "start_cast",
    "wait_issued",
]
