"""The link between Ouranos and Catena-X (issue #6 items 3 and 4), over HTTP between in-process nodes.

Catena-X → Ouranos: a European OEM fetches a Japanese cathode maker's CFP through the DSP endpoint of the
maker's presence on the platform — only once the maker's Ouranos CFP ACL releases it, never its part structure.
Ouranos → Catena-X: a Japanese cell maker's ordinary trade request to a European supplier (presented as an
operator) is answered through DSP by the bridge, and read as `preProductionResponse`/`mainProductionResponse`.
Mutual recognition is live: revocations and withdrawn recognitions on either side stop cross-side access.
"""

from __future__ import annotations

import time
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from passbridge.errors import CounterpartyError, InvalidInput, NotFound
from passbridge.jsoncodec import loads_exact
from passbridge.link.bridge import BridgeResult, Outcome
from passbridge.ouranos.model import Kind
from tests.conftest import FixedClock
from tests.dsp_world import fetch
from tests.link_world import (
    CATHODE_BPNL,
    EU_OEM_BPNL,
    EU_SUPPLIER_BPNL,
    LinkWorld,
    build_link_world,
    offer_supplier_pcf,
)
from tests.network import Network

SECRETS = ("NiSO4-secret-lot", "0.42", "0.37", "TC-CELL-2", "5120001000001", "5120001000002")
"""The cathode maker's child part and its quantity, the cell maker's quantity and parent part, corporate numbers."""


@pytest.fixture
def world(network: Network, clock: FixedClock) -> LinkWorld:
    return build_link_world(network, clock)


def _grant(world: LinkWorld, released_to: str, *, cfp: bool = True, dqr: bool = True) -> None:
    world.platform.acl.put(
        world.cathode,
        {
            "operatorId": world.cathode.operator_id,
            "releasedToOperatorId": released_to,
            "traceId": world.cathode_part,
            "acl": [
                {"aclItemGroup": "TOTALCFP", "releasedFlag": cfp},
                {"aclItemGroup": "TOTALDQR", "releasedFlag": dqr},
            ],
        },
    )


def _presented_cathode(world: LinkWorld) -> tuple[str, str]:
    """The cathode maker consents; the EU OEM is presented as an operator. (presence DID, OEM's operator id)"""
    consent = world.link.consent(world.cathode.operator_id, CATHODE_BPNL)
    participant = world.link.add_participant(world.eu_oem.did, EU_OEM_BPNL, "EU OEM GmbH")
    return consent.did, participant.operator_id


def _payload(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    fetched: Any = loads_exact(response.content)
    return fetched["passport"]


def test_a_consenting_operator_has_a_did_document_under_the_platform(world: LinkWorld) -> None:
    did, _ = _presented_cathode(world)
    operator = world.cathode.operator_id
    assert did == f"{world.ou.did}:link:{operator}"
    document = world.ou.client.get(f"/link/{operator}/did.json")
    assert document.status_code == 200, document.text
    assert document.json()["id"] == did
    services = {s["type"]: s["serviceEndpoint"] for s in document.json()["service"]}
    assert services["DataService"] == f"{world.ou.url}/link/{operator}/.well-known/dspace-version"
    # its Ouranos operator credential, issued by the platform's authority
    presence = world.ou.services.link.host.presence(operator) if world.ou.services.link else None
    assert presence is not None
    (credential,) = presence.services.identity.holder.wallet()
    assert (credential.credential_type, credential.issuer) == ("OuranosOperatorCredential", world.ou.did)
    # an operator that has not consented has no presence: its DID does not resolve
    unknown = world.ou.client.get(f"/link/{world.cell.operator_id}/did.json")
    assert unknown.status_code == 404 and unknown.headers["content-type"].startswith("application/problem+json")


def test_a_catenax_oem_gets_the_ouranos_cfp_only_as_the_acl_releases_it(world: LinkWorld, wire: list[str]) -> None:
    did, oem_operator = _presented_cathode(world)
    dataset = f"urn:uuid:{world.cathode_part}"
    refused = fetch(world.eu_oem, dataset, did, "battery-component-1.0.0")
    assert refused.status_code == 502 and "catalog" in refused.text  # nothing released: no such dataset

    _grant(world, oem_operator)
    component = _payload(fetch(world.eu_oem, dataset, did, "battery-component-1.0.0"))
    shares = component["pcfValues"]["sharesPerStage"]
    assert shares["declaredUnit"] == "CO2KG/KG"
    assert shares["stage1RawMaterialAquisitionPreProcessing"]["stageValue"] == Decimal(4)  # 1.5 own + 2.5 bought
    assert shares["stage2MainProductProduction"]["stageValue"] == Decimal(3)  # 2.5 own + 0.5 bought
    assert shares["stage3Distribution"]["stageValue"] == 0 and shares["stage4EndOfLifeRecycling"]["stageValue"] == 0
    assert shares["absPcfValue"]["stageValue"] == Decimal(7)
    assert component["legalidentifier"] == CATHODE_BPNL and component["manufacturerPartId"] == "JP-CAM-9"
    dqr = (
        component["technologicalRepresentativeness"],
        component["geographicalRepresentativeness"],
        component["timerelatedRepresentativeness"],
    )
    assert dqr == (Decimal(2), Decimal("1.42857"), Decimal("1.42857"))  # stage DQRs weighted 4:3
    assert component["dataQualityRating"] == Decimal("1.61905")

    pcf = _payload(fetch(world.eu_oem, dataset, did, "pcf-9.0.0"))
    production = pcf["productLifeCycleStagesAndEmissions"][0]["productionStage"][0]
    assert production["pcfExcludingBiogenicUptake"] == Decimal(7)

    _grant(world, oem_operator, dqr=False)  # TOTALDQR withdrawn: 1.0.0 requires a DQR, so it is refused now
    assert fetch(world.eu_oem, dataset, did, "battery-component-1.0.0").status_code != 200
    _grant(world, oem_operator, cfp=False)  # TOTALCFP withdrawn: the data plane refuses the still-valid token
    assert fetch(world.eu_oem, dataset, did, "pcf-9.0.0").status_code != 200
    assert any("/dataplane/pcf/" in line and " 403 " in line for line in wire)

    leaked = {secret for secret in SECRETS for line in wire if secret in line}
    assert not leaked, leaked


def test_an_operator_without_consent_is_not_reachable_from_catenax(world: LinkWorld) -> None:
    world.link.add_participant(world.eu_oem.did, EU_OEM_BPNL, "EU OEM GmbH")
    assert world.ou.services.link is not None
    did = world.ou.services.link.host.did_of(world.cathode.operator_id)
    refused = fetch(world.eu_oem, f"urn:uuid:{world.cathode_part}", did)
    assert refused.status_code == 502 and "discovery" in refused.text


def test_a_unit_without_catenax_counterpart_is_refused_not_converted(world: LinkWorld) -> None:
    did, oem_operator = _presented_cathode(world)
    records = [{**r, "ghgDeclaredUnit": "kgCO2e/kilowatt-hour", "cfpId": None} for r in _stored_cfp(world)]
    world.platform.cfp.put(world.cathode, records)
    _grant(world, oem_operator)
    refused = fetch(world.eu_oem, f"urn:uuid:{world.cathode_part}", did, "battery-component-1.0.0")
    assert refused.status_code != 200
    assert "no Catena-X counterpart" in refused.text


def _stored_cfp(world: LinkWorld) -> list[dict[str, Any]]:
    with world.ou.services.uow(write=False) as uow:
        (record,) = uow.ouranos.find(Kind.CFP, ref=world.cathode_part)
    assert isinstance(record.doc, list)
    return [dict(r) for r in record.doc if isinstance(r, dict)]


def test_revoking_the_catenax_membership_stops_the_oem_at_the_next_status_check(world: LinkWorld) -> None:
    did, oem_operator = _presented_cathode(world)
    _grant(world, oem_operator)
    consumer = world.eu_oem.services.dataspace.consumer
    assert f"urn:uuid:{world.cathode_part}" in [d.id for d in consumer.datasets(did)]
    (membership,) = world.eu_oem.services.identity.holder.wallet()
    assert world.cx.services.identity.authority is not None
    world.cx.services.identity.authority.revoke(membership.credential_id)
    world.clock.current += timedelta(seconds=31)  # past the presence's 30 s presentation cache
    with pytest.raises(CounterpartyError) as refused:
        consumer.datasets(did)
    assert refused.value.status == 401 and "revoked" in str(refused.value)


def test_withdrawing_the_recognition_stops_all_cross_side_access(world: LinkWorld) -> None:
    did, oem_operator = _presented_cathode(world)
    _grant(world, oem_operator)
    consumer = world.eu_oem.services.dataspace.consumer
    assert consumer.datasets(did)
    assert world.ou.services.identity.authority is not None
    world.ou.services.identity.authority.withdraw(world.cx.did)
    world.clock.current += timedelta(seconds=31)
    with pytest.raises(CounterpartyError) as refused:
        consumer.datasets(did)
    assert refused.value.status == 401 and "issuer-not-trusted" in str(refused.value)


def _request_cam(world: LinkWorld, supplier_operator: str) -> str:
    """The cell maker's ordinary trade request for its child part CAM-811 to `supplier_operator`; the trade id."""
    request: Any = {
        "tradeModel": {
            "downstreamOperatorId": world.cell.operator_id,
            "upstreamOperatorId": supplier_operator,
            "downstreamTraceId": world.cell_child,
        },
        "statusModel": {"requestType": "CFP", "message": "CFP of CAM-811, please", "responseDueDate": None},
    }
    trade: Any = world.platform.trades.request(world.cell, request)
    return str(trade["tradeModel"]["tradeId"])


def _present_supplier(world: LinkWorld, cell_did: str | None) -> str:
    """The EU supplier presented as an operator (its operator id); it offers its PCF to `cell_did` if given."""
    supplier = world.link.add_participant(world.eu_supplier.did, EU_SUPPLIER_BPNL, "Nordzelle Cathode GmbH")
    if cell_did is not None:
        offer_supplier_pcf(world.eu_supplier, cell_did)
    return supplier.operator_id


def _ask_europe(world: LinkWorld) -> tuple[str, str]:
    """The cell maker consents, the EU supplier is presented and offers its PCF, the cell maker asks it.
    (trade id, the supplier's operator id)"""
    consent = world.link.consent(world.cell.operator_id, "BPNL00000000TCJP")
    supplier_operator = _present_supplier(world, consent.did)
    return _request_cam(world, supplier_operator), supplier_operator


def _wait_for(world: LinkWorld, trade_id: str) -> BridgeResult:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        done = [r for r in world.link.results if r.trade_id == trade_id]
        if done:
            return done[0]
        time.sleep(0.02)
    raise AssertionError(f"the bridge did not answer trade {trade_id}")


def test_an_ouranos_cell_maker_gets_a_european_suppliers_pcf_through_the_ordinary_trade_flow(
    world: LinkWorld, wire: list[str]
) -> None:
    trade_id, supplier_operator = _ask_europe(world)
    result = _wait_for(world, trade_id)  # the platform's REQUEST_NEW woke the bridge thread
    assert result.outcome is Outcome.ANSWERED, result
    records: Any = world.platform.cfp.get(world.cell, [world.cell_child])
    answers = {r["cfpType"]: r for r in records}
    pre, main = answers["preProductionResponse"], answers["mainProductionResponse"]
    assert (Decimal(str(pre["ghgEmission"])), Decimal(str(main["ghgEmission"]))) == (Decimal(4), Decimal(5))
    assert pre["ghgDeclaredUnit"] == "kgCO2e/kilogram"
    for stage in (pre, main):
        values = {k: Decimal(str(v)) for k, v in stage["dqrValue"].items()}
        assert values == {"TeR": Decimal("2.11111"), "GeR": Decimal("1.61111"), "TiR": Decimal("1.44444")}
    statuses: Any = world.platform.trades.statuses(
        world.cell, target="REQUEST", trace_id=None, status_id=None, size=10, after=None
    )
    assert [s["requestStatus"]["cfpResponseStatus"] for s in statuses.items] == ["COMPLETED"]
    # the supplier's part now exists on the platform as the participant's, with the Catena-X trace id
    with world.ou.services.uow(write=False) as uow:
        (part,) = uow.ouranos.find(Kind.PARTS, operator_id=supplier_operator)
    doc: Any = part.doc
    assert doc["partsName"] == "CAM-811"
    leaked = {secret for secret in SECRETS for line in wire if world.eu_supplier.url in line and secret in line}
    assert not leaked, leaked


def test_a_revoked_ouranos_operator_is_refused_by_catenax_and_the_request_rejected(world: LinkWorld) -> None:
    world.link.stop()
    consent = world.link.consent(world.cell.operator_id, "BPNL00000000TCJP")
    assert world.ou.services.link is not None
    presence = world.ou.services.link.host.presence(world.cell.operator_id)
    assert presence is not None
    (credential,) = presence.services.identity.holder.wallet()
    assert world.ou.services.identity.authority is not None
    world.ou.services.identity.authority.revoke(credential.credential_id)  # certification withdrawn in Japan
    supplier_operator = _present_supplier(world, consent.did)
    trade_id = _request_cam(world, supplier_operator)
    (result,) = world.link.run_pending()
    assert result.trade_id == trade_id and result.outcome is Outcome.REJECTED
    assert "revoked" in result.detail
    statuses: Any = world.platform.trades.statuses(
        world.cell, target="REQUEST", trace_id=None, status_id=None, size=10, after=None
    )
    (status,) = statuses.items
    assert status["requestStatus"]["cfpResponseStatus"] == "REJECT"
    assert "revoked" in str(status["replyMessage"])
    with world.ou.services.uow(write=False) as uow:
        assert not uow.ouranos.find(Kind.PARTS, operator_id=supplier_operator)  # nothing registered


def test_a_requester_without_consent_is_rejected_and_a_cancelled_request_is_not_answered(world: LinkWorld) -> None:
    world.link.stop()
    supplier_operator = _present_supplier(world, None)
    first = _request_cam(world, supplier_operator)
    (result,) = world.link.run_pending()
    assert result.outcome is Outcome.REJECTED and "not consented" in result.detail
    assert first == result.trade_id

    consent = world.link.consent(world.cell.operator_id, "BPNL00000000TCJP")
    offer_supplier_pcf(world.eu_supplier, consent.did)
    trade_id = _request_cam(world, supplier_operator)
    world.platform.trades.set_status(
        world.cell, {"tradeId": trade_id, "requestStatus": {"cfpResponseStatus": "CANCEL"}}
    )
    (late,) = world.link.run_pending()
    assert late.trade_id == trade_id and late.outcome is Outcome.SKIPPED
    with world.ou.services.uow(write=False) as uow:
        assert not uow.ouranos.find(Kind.PARTS, operator_id=supplier_operator)
        assert not uow.ouranos.find(Kind.CFP, operator_id=supplier_operator)


def test_a_catenax_request_reaches_the_ouranos_operator_as_an_ordinary_trade_request(world: LinkWorld) -> None:
    did, oem_operator = _presented_cathode(world)
    trade_id = world.link.ask(world.eu_oem.did, world.cathode.operator_id, "JP-CAM-9", "kilogram")
    page: Any = world.platform.notifications.list(world.cathode)
    (note,) = [n for n in page.items if n["notificationType"] == "REQUEST_NEW"]
    assert note["tradeRelation"]["tradeId"] == trade_id
    assert note["tradeRelation"]["downstreamOperatorId"] == oem_operator
    received: Any = world.platform.trades.received(world.cathode, 10, None)
    (request,) = received.items
    assert request["partsModel"]["amountRequired"] is None  # no quantity upstream
    assert "through the link" in request["statusModel"]["message"]
    # the cathode maker answers with its own tools: links its part and releases the footprint to the requester
    world.platform.trades.respond(world.cathode, trade_id, world.cathode_part)
    _grant(world, oem_operator)
    component = _payload(fetch(world.eu_oem, f"urn:uuid:{world.cathode_part}", did, "battery-component-1.0.0"))
    assert component["pcfValues"]["sharesPerStage"]["absPcfValue"]["stageValue"] == Decimal(7)


def test_a_catenax_request_needs_a_presented_participant_and_a_consenting_operator(world: LinkWorld) -> None:
    with pytest.raises(NotFound):
        world.link.ask(world.eu_oem.did, world.cathode.operator_id, "JP-CAM-9")
    world.link.add_participant(world.eu_oem.did, EU_OEM_BPNL, "EU OEM GmbH")
    with pytest.raises(InvalidInput) as refused:
        world.link.ask(world.eu_oem.did, world.cathode.operator_id, "JP-CAM-9")
    assert refused.value.violations[0].path == "upstreamOperatorId"
    world.link.consent(world.cathode.operator_id, CATHODE_BPNL)
    with pytest.raises(InvalidInput) as bad_unit:
        world.link.ask(world.eu_oem.did, world.cathode.operator_id, "JP-CAM-9", "furlong")
    assert bad_unit.value.violations[0].path == "amountRequiredUnit"


def test_both_directions_with_the_platform_on_either_database(
    network: Network, clock: FixedClock, database_url: str
) -> None:
    world = build_link_world(network, clock, platform_database=database_url)
    did, oem_operator = _presented_cathode(world)
    _grant(world, oem_operator)
    component = _payload(fetch(world.eu_oem, f"urn:uuid:{world.cathode_part}", did, "battery-component-1.0.0"))
    assert component["pcfValues"]["sharesPerStage"]["absPcfValue"]["stageValue"] == Decimal(7)
    trade_id, _ = _ask_europe(world)
    assert _wait_for(world, trade_id).outcome is Outcome.ANSWERED
    records: Any = world.platform.cfp.get(world.cell, [world.cell_child])
    assert {r["cfpType"]: Decimal(str(r["ghgEmission"])) for r in records} == {
        "preProductionResponse": Decimal(4),
        "mainProductionResponse": Decimal(5),
    }
