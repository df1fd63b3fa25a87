"""The DSP v0.8 codec held to real Tractus-X EDC 0.7.1 wire messages
(``shared/fixtures/dsp/tractusx-edc-0.7.1-dsp-v0.8``, captured by ``boschresearch/py-cx-ids``;
see ``shared/fixtures/dsp/SOURCES.md``).

Every message decodes, and re-encodes to a document whose JSON-LD expansion equals the original's, read as RDF
reads it: arrays are sets (order ignored), empty arrays state nothing and are dropped, and the message's own ``@id``
is not compared (the model keeps no message id; `encode` writes a fresh ``urn:uuid``). The originals are expanded
with pyld and a test loader serving the official contexts from the fixtures (they inline theirs; nothing is fetched).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pyld import jsonld as pyld  # type: ignore[import-untyped]

from passbridge.dataspace.catalog import Catalog
from passbridge.dataspace.codec import dsp_2025_1, dsp_v0_8
from passbridge.dataspace.messages import (
    CatalogRequestMessage,
    ContractNegotiationAck,
    ContractRequestMessage,
    NegotiationState,
    TransferStartMessage,
)
from passbridge.dataspace.odrl import Constraint, Operator
from passbridge.errors import ProtocolError
from passbridge.jsonld import offline_loader
from tests.fixtures_path import FIXTURES

DSP = FIXTURES / "dsp"
V0_8 = DSP / "tractusx-edc-0.7.1-dsp-v0.8"
MESSAGES = sorted(V0_8.glob("*.json"))
OFFICIAL_CONTEXTS = {
    "https://w3id.org/dspace/2024/1/context.json": DSP / "dsp-2024-1" / "common" / "schema" / "context.json",
    "https://w3id.org/dspace/2025/1/context.jsonld": DSP / "dsp-2025-1" / "context" / "dspace.jsonld",
    "https://w3id.org/dspace/2025/1/odrl-profile.jsonld": DSP / "dsp-2025-1" / "context" / "odrl.jsonld",
}
LOADER = offline_loader({url: json.loads(path.read_text()) for url, path in OFFICIAL_CONTEXTS.items()})


def _load(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text())
    return loaded


def _as_rdf_reads_it(value: Any) -> Any:
    if isinstance(value, list):
        items = [_as_rdf_reads_it(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, dict):
        return {k: _as_rdf_reads_it(v) for k, v in value.items() if v != []}
    return value


def _expanded(document: dict[str, Any]) -> Any:
    (node,) = pyld.expand(document, {"documentLoader": LOADER})
    node.pop("@id", None)  # the message's own id: not part of the model
    return _as_rdf_reads_it(node)


def test_the_fixture_folder_holds_the_edc_messages() -> None:
    assert {p.name for p in MESSAGES} >= {"contract_request_message.json", "transfer_start_message.json"}


@pytest.mark.parametrize("path", MESSAGES, ids=lambda p: p.stem)
def test_edc_message_re_encodes_to_the_same_json_ld(path: Path) -> None:
    original = _load(path)

    again = dsp_v0_8.encode(dsp_v0_8.decode(original))

    assert _expanded(again) == _expanded(original)


@pytest.mark.parametrize("path", MESSAGES, ids=lambda p: p.stem)
def test_re_encoded_edc_message_decodes_to_the_same_model(path: Path) -> None:
    message = dsp_v0_8.decode(_load(path))

    assert dsp_v0_8.decode(dsp_v0_8.encode(message)) == message


def test_edc_contract_request_reads_into_the_model() -> None:
    message = dsp_v0_8.decode(_load(V0_8 / "contract_request_message.json"), ContractRequestMessage)

    assert message.consumer_pid == "7761b889-1832-49da-a374-197e02659d7c"
    assert message.callback_address == "http://consumer-control-plane:8282/api/v1/dsp"
    assert message.offer.assigner == "BPNL00000007ZS7X"
    assert message.offer.target == "69045d88-f946-4f1b-b4e8-5558f6ad181a"
    assert message.offer.permissions[0].action == "use"


def test_a_single_valued_set_operand_reads_as_an_array() -> None:
    """JSON-LD compaction writes a one-element ``isAnyOf`` operand as a plain value; it is read back as a set."""
    document = _load(V0_8 / "contract_request_message.json")
    permission = document["dspace:offer"]["odrl:permission"]
    rule = permission[0] if isinstance(permission, list) else permission
    rule["odrl:constraint"] = {
        "odrl:leftOperand": "UsagePurpose",
        "odrl:operator": {"@id": "odrl:isAnyOf"},
        "odrl:rightOperand": "cx.circular.dpp:1",
    }
    message = dsp_v0_8.decode(document, ContractRequestMessage)
    (constraint,) = message.offer.permissions[0].constraints
    assert isinstance(constraint, Constraint)
    assert constraint.operator is Operator.IS_ANY_OF and constraint.right_operand == ["cx.circular.dpp:1"]


def test_edc_transfer_start_keeps_the_endpoint_data_reference() -> None:
    message = dsp_v0_8.decode(_load(V0_8 / "transfer_start_message.json"), TransferStartMessage)

    assert message.data_address is not None
    assert message.data_address.value_of("endpoint") == "http://provider-data-plane:9192/public"
    assert message.data_address.value_of("expiresIn") == "300"


def test_encoded_messages_use_prefixed_terms_and_states() -> None:
    out = dsp_v0_8.encode(ContractNegotiationAck("p-1", "c-1", NegotiationState.REQUESTED))

    assert out["@type"] == "dspace:ContractNegotiation"
    assert out["dspace:state"] == "dspace:REQUESTED"
    assert out["dspace:consumerPid"] == out["dspace:processId"] == "c-1"
    assert out["@context"]["dspace"] == dsp_v0_8.DSPACE


def test_tractusx_catalog_survives_the_v0_8_dialect() -> None:
    catalog = dsp_2025_1.decode(_load(DSP / "tractusx-edc-catalog-response-2025-1.json"), Catalog)

    out = dsp_v0_8.encode(catalog)

    assert out["@type"] == "dcat:Catalog"
    assert "dcat:dataset" in out
    again = dsp_v0_8.decode(out, Catalog)
    # equal but for the catalog's empty "prohibition": [] inside a permission, which v0.8 drops (it states nothing)
    assert (again.id, again.participant_id, again.services) == (catalog.id, catalog.participant_id, catalog.services)
    assert again.datasets[0].distributions == catalog.datasets[0].distributions
    assert again.datasets[0].extra == catalog.datasets[0].extra
    assert (
        again.datasets[0].offers[0].permissions[0].constraints
        == catalog.datasets[0].offers[0].permissions[0].constraints
    )


def _official_2025_1_examples() -> list[Path]:
    examples = []
    for path in sorted((DSP / "dsp-2025-1").rglob("*.json")):
        if "schema" in path.name or "/context/" in str(path):
            continue
        try:
            dsp_2025_1.decode(_load(path))
        except ProtocolError:
            continue  # negative examples
        examples.append(path)
    return examples


@pytest.mark.parametrize("path", _official_2025_1_examples(), ids=lambda p: p.stem)
def test_every_official_message_survives_the_v0_8_dialect(path: Path) -> None:
    message = dsp_2025_1.decode(_load(path))

    again = dsp_v0_8.decode(dsp_v0_8.encode(message))

    if isinstance(message, CatalogRequestMessage) and message.filter == ():
        message = CatalogRequestMessage()  # an empty filter array states nothing in JSON-LD
    assert again == message


# bad input ------------------------------------------------------------------------------------------------------


def _paths(error: ProtocolError) -> set[str]:
    return {v.path for v in error.violations}


def test_a_message_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(ProtocolError) as caught:
        dsp_v0_8.decode(["not", "an", "object"])
    assert _paths(caught.value) == {"$"}


def test_a_message_without_context_is_refused() -> None:
    original = _load(V0_8 / "contract_request_message.json")
    del original["@context"]
    with pytest.raises(ProtocolError) as caught:
        dsp_v0_8.decode(original)
    assert _paths(caught.value) == {"$.@context"}


def test_a_remote_context_that_is_not_bundled_is_refused() -> None:
    original = _load(V0_8 / "contract_request_message.json")
    original["@context"] = [original["@context"], "https://attacker.example/context.jsonld"]
    with pytest.raises(ProtocolError) as caught:
        dsp_v0_8.decode(original)
    assert _paths(caught.value) == {"$.@context"}


def test_a_missing_consumer_pid_is_named_in_v0_8_terms() -> None:
    original = _load(V0_8 / "contract_request_message.json")
    del original["dspace:consumerPid"]
    del original["dspace:processId"]
    with pytest.raises(ProtocolError) as caught:
        dsp_v0_8.decode(original)
    assert "$.dspace:consumerPid" in _paths(caught.value)


def test_another_message_type_than_the_endpoint_takes_is_refused() -> None:
    with pytest.raises(ProtocolError) as caught:
        dsp_v0_8.decode(_load(V0_8 / "transfer_start_message.json"), ContractRequestMessage)
    assert _paths(caught.value) == {"$.@type"}


def test_an_unknown_type_is_refused() -> None:
    original = _load(V0_8 / "transfer_start_message.json")
    original["@type"] = "dspace:NoSuchMessage"
    with pytest.raises(ProtocolError) as caught:
        dsp_v0_8.decode(original)
    assert _paths(caught.value) == {"$.@type"}


def test_a_2025_1_message_is_not_v0_8() -> None:
    plain = dsp_2025_1.encode(ContractNegotiationAck("p", "c", NegotiationState.AGREED))
    with pytest.raises(ProtocolError):
        dsp_v0_8.decode(plain)
