"""Catalog: EDC offer ids, what each counterparty is shown, and the offer check."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import replace

import pytest
from hypothesis import given, strategies as st

from passbridge.dataspace.catalog import (
    CX_TAXONOMY,
    CX_VERSION,
    Asset,
    Catalog,
    ContractDefinition,
    DataService,
    OfferId,
    build_catalog,
    check_offer,
)
from passbridge.dataspace.codec.dsp_2025_1 import decode, encode
from passbridge.dataspace.odrl import Decision, Policy, PolicyContext, PolicyType
from passbridge.dataspace.policies import evaluate_cx
from passbridge.errors import PolicyMismatch, ProtocolError
from passbridge.identity.credentials import CredentialType
from tests.unit.dataspace.builders import BPNL, DATASET, PROVIDER_DID, a_policy, atom, context, dpp_usage_policy

MEMBERSHIP, BPN = CredentialType.MEMBERSHIP.value, CredentialType.BPN.value
SERVICE = DataService("urn:uuid:service-1", "https://provider.example/dsp/2025-1")
DTR = Asset("dtr", "Digital twin registry", "DigitalTwinRegistry", version="3.0")
PASSPORT = Asset(DATASET, "Battery passport X", CX_TAXONOMY + "Submodel")
SECRET = Asset("secret", "Only for notified bodies", "Submodel")

DEFINITIONS = {
    "dtr": [ContractDefinition("cd-dtr", a_policy(atom("Membership", "eq", "active"), action="access"), a_policy())],
    DATASET: [
        ContractDefinition(
            "cd-pass",
            a_policy(atom("BusinessPartnerNumber", "isAnyOf", [BPNL]), action="access"),
            dpp_usage_policy(id="policy-pass"),
        )
    ],
    "secret": [
        ContractDefinition(
            "cd-secret", a_policy(atom("PassportAccessLevel", "eq", "notified_body"), action="access"), a_policy()
        )
    ],
}


def policies_for(asset: Asset) -> Sequence[ContractDefinition]:
    return DEFINITIONS[asset.id]


def catalog_for(ctx: PolicyContext) -> Catalog:
    counter = itertools.count()
    return build_catalog(
        [DTR, PASSPORT, SECRET],
        policies_for,
        participant_id=PROVIDER_DID,
        catalog_id="urn:uuid:catalog",
        service=SERVICE,
        context=ctx,
        evaluate=evaluate_cx,
        new_uuid=lambda: f"uuid-{next(counter)}",
    )


def test_the_edc_example_offer_id_parses() -> None:
    parsed = OfferId.parse("MQ==:MQ==:M2ZmZDRhY2MtMzkyNy00NGI4LWJlZDItNDcwY2RiZGRjN2Ex")
    assert parsed == OfferId("1", "1", "3ffd4acc-3927-44b8-bed2-470cdbddc7a1")


@given(st.text(min_size=1), st.text(min_size=1), st.text(min_size=1))
def test_offer_ids_round_trip(definition_id: str, asset_id: str, uuid: str) -> None:
    offer_id = OfferId(definition_id, asset_id, uuid)
    assert OfferId.parse(str(offer_id)) == offer_id and str(offer_id).count(":") == 2


@pytest.mark.parametrize("text", ["CD123:ACN0101:456", "MQ==:MQ==", "MQ==::MQ==", "not an id", "MQ==:MQ==:$$$="])
def test_foreign_offer_ids_are_refused_naming_the_field(text: str) -> None:
    with pytest.raises(ProtocolError) as refused:
        OfferId.parse(text)
    assert refused.value.violations[0].path == "$.offer.@id"


def test_a_member_with_the_right_bpn_sees_the_registry_and_the_passport_only() -> None:
    catalog = catalog_for(context(MEMBERSHIP, BPN))
    assert [d.id for d in catalog.datasets] == ["dtr", DATASET]
    assert catalog.participant_id == PROVIDER_DID and catalog.services == (SERVICE,)


@pytest.mark.parametrize(
    ("credentials", "visible"),
    [
        ([], []),
        ([MEMBERSHIP], ["dtr", DATASET]),  # the membership names the BPNL too
        ([BPN], [DATASET]),
        ([CredentialType.NOTIFIED_BODY.value], ["secret"]),
    ],
)
def test_assets_whose_access_policy_fails_are_not_listed(credentials: list[str], visible: list[str]) -> None:
    assert [d.id for d in catalog_for(context(*credentials)).datasets] == visible


def test_offers_carry_the_contract_policy_under_an_edc_offer_id() -> None:
    catalog = catalog_for(context(MEMBERSHIP))
    dtr, passport = catalog.datasets
    offer = passport.offers[0]
    assert OfferId.parse(offer.id) == OfferId("cd-pass", DATASET, "uuid-1")
    assert offer.permissions == dpp_usage_policy().permissions and offer.type is PolicyType.OFFER
    assert offer.target is None and offer.assigner == PROVIDER_DID and offer.assignee is None
    assert dtr.type_iri == CX_TAXONOMY + "DigitalTwinRegistry" and dtr.extra[CX_VERSION] == "3.0"
    assert passport.type_iri == CX_TAXONOMY + "Submodel"
    assert dtr.distributions[0].format == "HttpData-PULL" and dtr.distributions[0].access_service == SERVICE
    assert catalog.offer(offer.id) == (passport, offer) and catalog.dataset("dtr") == dtr
    assert catalog.offer("nope") is None and catalog.dataset("nope") is None


def test_each_offer_gets_its_own_uuid() -> None:
    catalog = catalog_for(context(MEMBERSHIP))
    assert [OfferId.parse(d.offers[0].id).uuid for d in catalog.datasets] == ["uuid-0", "uuid-1"]


def test_a_built_catalog_survives_the_wire() -> None:
    catalog = catalog_for(context(MEMBERSHIP))
    assert decode(encode(catalog), Catalog) == catalog


def test_a_requested_offer_must_be_the_catalog_offer() -> None:
    offered = catalog_for(context(MEMBERSHIP)).datasets[1].offers[0]
    requested = replace(offered, target=DATASET)
    check_offer(requested, offered)
    check_offer(replace(requested, assigner=None), offered)  # a request may leave the assigner out
    tampered = replace(requested, permissions=a_policy().permissions)
    with pytest.raises(PolicyMismatch) as refused:
        check_offer(tampered, offered)
    assert refused.value.violations[0].path == "$.offer" and refused.value.expected == offered
    with pytest.raises(PolicyMismatch):
        check_offer(replace(requested, assigner="did:web:someone-else"), offered)


def test_a_policy_shared_by_many_assets_is_evaluated_once_per_catalog() -> None:
    shared = DEFINITIONS[DATASET][0]
    assets = [Asset(f"urn:uuid:{n}", "passport", "Submodel") for n in range(20)]
    calls: list[str] = []

    def counting(policy: Policy, ctx: PolicyContext) -> Decision:
        calls.append(policy.id)
        return evaluate_cx(policy, ctx)

    catalog = build_catalog(
        assets,
        lambda _: [shared],
        participant_id=PROVIDER_DID,
        catalog_id="urn:uuid:catalog",
        service=SERVICE,
        context=context(MEMBERSHIP, BPN),
        evaluate=counting,
        new_uuid=lambda: "uuid",
    )
    assert len(catalog.datasets) == 20
    assert calls == [shared.access_policy.id]
    refused = build_catalog(
        assets,
        lambda _: [shared],
        participant_id=PROVIDER_DID,
        catalog_id="c",
        service=SERVICE,
        context=context(),
        evaluate=counting,
        new_uuid=lambda: "uuid",
    )
    assert refused.datasets == () and len(calls) == 2
