"""The CFP requests crossing between the platforms through the Ouranos platform's link gateway.

`link_story` (after the cathode maker's answer reached the cell maker, before the cell maker's answer reaches the
OEM): Tohoku Cell consents to be presented on Catena-X (its presence: a DID under the platform, keys held by the
platform, its OuranosOperatorCredential); Europa Motors and Rhein Recycling are presented to Ouranos operators as
operators. **Catena-X → Ouranos**: Europa Motors' CFP request for CELL-200Ah reaches Tohoku Cell as an ordinary
Ouranos trade request; Tohoku Cell answers with its own tools (`passbridge ouranos sync`: its part linked, its
roll-up registered as 4 CFP records, TOTALCFP/TOTALDQR granted); Europa Motors fetches the answer over DSP from
Tohoku Cell's presence as a Catena-X battery-component PCF — checked equal to the cell maker's own roll-up.

`second_life_story` (after the recycler reported its lot): **Ouranos → Catena-X**: Tohoku Cell asks Rhein
Recycling for lot RB-2026-01 the ordinary Ouranos way (a trade request to the operator presenting it); the
platform's bridge fetches the lot's PCF over DSP as Tohoku Cell's presence and answers the request; Tohoku Cell
reads ``preProductionResponse`` / ``mainProductionResponse`` — checked equal to the recycler's figures. Then
Ouranos revokes the presence's credential: the recycler's connector refuses the next request, and the trade
request is rejected with that reason.

Materials and their origin are not part of the Ouranos exchange; the story hands the suppliers' full answers over
directly (`passport_steps.deliver_answer`), so the passports' recycled content comes from the Catena-X answer.
"""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

from passbridge.demo.scenario import CELL, OEM_OP, RECYCLER_OP
from passbridge.demo.world import OURANOS_PASSWORD, StoryStepFailed, World, json_of
from passbridge.link.bridge import BridgeResult, LinkService, Outcome
from passbridge.outbound.ouranos_client import OuranosClient
from passbridge.supplychain.ouranos_participant import OuranosParticipant

CELL_BPNL = "BPNL00000TOHOKU1"
"""The BPNL Tohoku Cell gives with its consent (Catena-X knows participants by BPNL)."""
PCF_FORMAT = "battery-component-1.0.0"


def _link(world: World) -> LinkService:
    gateway = world.ouranos.services.link
    if gateway is None:
        raise StoryStepFailed("the Ouranos platform node has no link gateway")
    return gateway.service


def _client(world: World, name: str) -> OuranosClient:
    node = world.nodes[name]
    api_key, account = world.ouranos_logins[name]
    services = node.services
    return OuranosClient(
        services.http, f"{world.ouranos.url}/ouranos", api_key, account, OURANOS_PASSWORD, services.clock
    )


def cell_link_did(world: World) -> str | None:
    """The DID Tohoku Cell is presented by on Catena-X (None before it consented)."""
    operator = world.operators.get(world.cell.name)
    return next((c.did for c in _link(world).consents() if c.operator_id == operator), None)


def _dqr(pcf: Any) -> str:
    return ", ".join(
        str(pcf[name])
        for name in (
            "technologicalRepresentativeness",
            "geographicalRepresentativeness",
            "timerelatedRepresentativeness",
        )
    )


def link_story(world: World) -> list[str]:
    """Consent, participants, and Europa Motors' CFP request answered by Tohoku Cell through the link."""
    link = _link(world)
    cell_operator = world.operators[world.cell.name]
    consent = link.consent(cell_operator, CELL_BPNL)
    oem = link.add_participant(world.oem.did, str(OEM_OP["bpnl"]), str(OEM_OP["name"]))
    recycler = link.add_participant(world.recycler.did, str(RECYCLER_OP["bpnl"]), str(RECYCLER_OP["name"]))
    lines = [
        f"link: {world.cell.title} consents; on Catena-X it is {consent.did} (keys held by the platform, "
        "OuranosOperatorCredential issued by the platform, counted as Catena-X membership by recognition)",
        f"link: Europa Motors and Rhein Recycling appear to Ouranos operators as operators (globalOperatorId "
        f"{oem.bpnl}, {recycler.bpnl})",
    ]
    started = time.perf_counter()
    trade_id = link.ask(world.oem.did, cell_operator, "CELL-200Ah", "unit")
    lines.append(
        f"Europa Motors → Tohoku Cell (Catena-X → Ouranos): the CFP request arrives as Ouranos trade request "
        f"{trade_id[:8]}… from the operator presenting Europa Motors (amountRequired hidden)"
    )
    cell = world.cell.services
    report = OuranosParticipant(_client(world, world.cell.name), cell.supplychain, cell.uow).sync()
    if not report.answered:
        raise StoryStepFailed(f"Tohoku Cell's `ouranos sync` answered nothing: {report}")
    lines.append(f"Tohoku Cell answers with its own tools (passbridge ouranos sync): {'; '.join(report.answered)}")
    offered = [
        d.id for d in world.oem.services.dataspace.consumer.datasets(consent.did) if d.id.startswith("urn:uuid:")
    ]
    if len(offered) != 1:
        raise StoryStepFailed(f"Tohoku Cell's presence offers Europa Motors {offered}, expected one PCF")
    fetched = json_of(
        world.call(
            "POST",
            f"{world.oem.url}/api/v1/consumer/fetch",
            json={"target": offered[0], "from": consent.did, "format": PCF_FORMAT},
            headers=world.owner(world.oem),
        ).content
    )
    elapsed = (time.perf_counter() - started) * 1000
    pcf = fetched["passport"]
    shares = pcf["pcfValues"]["sharesPerStage"]
    stage1 = shares["stage1RawMaterialAquisitionPreProcessing"]["stageValue"]
    stage2 = shares["stage2MainProductProduction"]["stageValue"]
    url = f"{world.cell.url}/api/v1/supplychain/parts/{CELL}/answer"
    own = json_of(world.call("GET", url, params={"partner": "europa-motors"}, headers=world.owner(world.cell)).content)
    expected = (
        Decimal(str(own["cfp"]["rawMaterialAcquisitionAndPreProcessing"])),
        Decimal(str(own["cfp"]["mainProduction"])),
    )
    if (Decimal(str(stage1)), Decimal(str(stage2))) != expected:
        raise StoryStepFailed(f"the link delivered {stage1}/{stage2}, the cell maker's roll-up says {expected}")
    lines.append(
        f"Europa Motors ← Tohoku Cell through the link (DSP from its presence, {PCF_FORMAT}): CELL-200Ah stage 1 "
        f"{stage1}, stage 2 {stage2} kg CO2e per cell, DQR {_dqr(pcf)} = the cell maker's own roll-up; "
        f"request → data in {elapsed:.0f} ms"
    )
    world.outcome["link"] = {
        "catenaxToOuranos": {
            "presence": consent.did,
            "stage1": str(stage1),
            "stage2": str(stage2),
            "matchesRollup": True,
            "milliseconds": round(elapsed),
        }
    }
    return lines


def _wait(link: LinkService, trade_id: str) -> BridgeResult:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        done = [r for r in link.results if r.trade_id == trade_id]
        if done:
            return done[0]
        time.sleep(0.02)
    raise StoryStepFailed(f"the link bridge did not answer trade request {trade_id} in 20 s")


def _ask_recycler(world: World, client: OuranosClient, child: str, recycler_operator: str) -> str:
    request: Any = client.put_trade_request(
        {
            "tradeModel": {
                "downstreamOperatorId": world.operators[world.cell.name],
                "upstreamOperatorId": recycler_operator,
                "downstreamTraceId": child,
            },
            "statusModel": {"requestType": "CFP", "message": "CFP of lot RB-2026-01, please", "responseDueDate": None},
        }
    )
    return str(request["tradeModel"]["tradeId"])


def second_life_story(world: World) -> list[str]:
    """Tohoku Cell's Ouranos trade request to Rhein Recycling answered from Catena-X; then a revocation refused."""
    link = _link(world)
    (recycler,) = [p for p in link.participants() if p.did == world.recycler.did]
    client = _client(world, world.cell.name)
    operator = world.operators[world.cell.name]
    (plant, *_) = client.plants()
    part = {"operatorId": operator, "traceId": None, "plantId": plant["plantId"], "supportPartsName": None,
            "terminatedFlag": False}  # fmt: skip
    structure: Any = client.put_structure(
        {
            "parentPartsModel": {**part, "partsName": "CELL-G2", "amountRequired": None, "amountRequiredUnit": "unit"},
            "childrenPartsModel": [
                {
                    **part,
                    "partsName": "RB-2026-01 lot",
                    "amountRequired": Decimal("0.24"),
                    "amountRequiredUnit": "kilogram",
                }
            ],
        }
    )
    child = str(structure["childrenPartsModel"][0]["traceId"])
    started = time.perf_counter()
    trade_id = _ask_recycler(world, client, child, recycler.operator_id)
    result = _wait(link, trade_id)
    if result.outcome is not Outcome.ANSWERED:
        raise StoryStepFailed(f"the link did not answer Tohoku Cell's request: {result}")
    answers = {str(r["cfpType"]): r for r in client.cfp([child])}
    elapsed = (time.perf_counter() - started) * 1000
    pre, main = answers["preProductionResponse"], answers["mainProductionResponse"]
    figures = (Decimal(str(pre["ghgEmission"])), Decimal(str(main["ghgEmission"])))
    if figures != (Decimal("0.4"), Decimal("1.1")):
        raise StoryStepFailed(f"Tohoku Cell read {figures} through the link, the recycler declared 0.4 and 1.1")
    lines = [
        f"Tohoku Cell → Rhein Recycling (Ouranos → Catena-X): an ordinary Ouranos trade request; the platform's "
        f"bridge fetched the lot's PCF over DSP as Tohoku Cell's Catena-X identity and answered it: "
        f"preProductionResponse {figures[0]}, mainProductionResponse {figures[1]} kg CO2e/kg (the recycler's "
        f"figures), request → answer in {elapsed:.0f} ms"
    ]
    presence = world.ouranos.services.link.host.presence(operator) if world.ouranos.services.link else None
    authority = world.ouranos.services.identity.authority
    if presence is None or authority is None:
        raise StoryStepFailed("Tohoku Cell's presence or the Ouranos authority is missing")
    (credential, *_) = presence.services.identity.holder.wallet()
    authority.revoke(credential.credential_id)
    refused = _wait(link, _ask_recycler(world, client, child, recycler.operator_id))
    if refused.outcome is not Outcome.REJECTED or "revoked" not in refused.detail:
        raise StoryStepFailed(f"a revoked operator's request was not refused across the link: {refused}")
    lines.append(
        "Ouranos revokes the certification of Tohoku Cell's Catena-X identity: the recycler's connector refuses "
        f"the next request and the trade request is rejected — {refused.detail[:140]}"
    )
    world.outcome.setdefault("link", {})["ouranosToCatenax"] = {
        "pre": str(figures[0]),
        "main": str(figures[1]),
        "milliseconds": round(elapsed),
        "afterRevocation": refused.outcome.value,
    }
    return lines


__all__ = ["CELL_BPNL", "cell_link_did", "link_story", "second_life_story"]
