"""PCF offers wired at node start (issue #5): a supplier node whose settings declare its BPNL offers its released
parts' carbon footprints over DSP with no code beyond `bootstrap`; without a BPNL it offers none; wrong
declarations fail at startup naming the key.

Numbers: `tests.e2e.test_dsp_pcf` (CAM-811: stage 1 = 4, stage 2 = 5, total 9 kg CO2e per kg).
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from passbridge.errors import ConfigurationError
from passbridge.jsoncodec import loads_exact
from passbridge.passport.access import Role
from passbridge.pcf_settings import PcfSettings
from passbridge.settings import load_settings
from tests.conftest import auth
from tests.dsp_world import certify, fetch
from tests.network import Network, Node
from tests.supplychain_scenario import CAM, body, cathode_node

DATASET = f"urn:uuid:{CAM}"
DECLARATIONS: dict[str, Any] = {
    "bpnl": "BPNL00000000KCM1",
    "bpns": "BPNS00000000KCM1",
    "company_name": "Kansai Cathode Materials K.K.",
    "region": "Eastern Asia",
    "valid_from": "2026-01-01T00:00:00Z",
    "valid_to": "2026-12-31T23:59:59Z",
    "reference_period_start": "2025-01-01T00:00:00Z",
    "reference_period_end": "2025-12-31T23:59:59Z",
    "exempted_emissions_percent": "1.5",
    "ccs_included": False,
}


def _json(raw: bytes) -> Any:
    """A body with exact decimals (its ``passport`` member is the provider's payload)."""
    return loads_exact(raw)


def _world(network: Network, **supplier_settings: Any) -> tuple[Node, Node]:
    authority = network.node("catena-x-authority", authority=True, data_space="catena-x")
    customer = network.node("cell-maker", authority_url=authority.url)
    certify(authority, customer, "MembershipCredential")
    supplier = network.node("cathode", authority_url=authority.url, **supplier_settings)
    certify(authority, supplier, "MembershipCredential")
    doc = copy.deepcopy(cathode_node())
    doc["operators"] = [op if op["id"] != "nordzelle" else {**op, "did": customer.did} for op in doc["operators"]]
    imported = supplier.client.post(
        "/api/v1/supplychain/import", content=body(doc), headers=auth(supplier.services, Role.OWNER)
    )
    assert imported.status_code == 200, imported.text
    return supplier, customer


def test_a_node_with_pcf_settings_offers_its_released_parts_over_dsp(network: Network) -> None:
    supplier, customer = _world(network, pcf=PcfSettings.model_validate(DECLARATIONS))
    fetched = fetch(customer, DATASET, supplier.did, "pcf-9.0.0")
    assert fetched.status_code == 200, fetched.text
    pcf = _json(fetched.content)["passport"]
    company = pcf["companyAndProductInformation"][0]
    assert "BPNL00000000KCM1" in str(company) and "Kansai Cathode Materials K.K." in str(company)
    assert "CAM-811" in str(company)
    assert "Eastern Asia" in str(pcf)
    stages = pcf["productLifeCycleStagesAndEmissions"][0]
    assert stages["productionStage"][0]["pcfExcludingBiogenicUptake"] == Decimal(9)
    battery = fetch(customer, DATASET, supplier.did, "battery-component-1.0.0")
    assert battery.status_code == 200, battery.text
    component = _json(battery.content)["passport"]
    assert component["pcfValues"]["sharesPerStage"]["absPcfValue"]["stageValue"] == Decimal(9)
    assert "BPNS00000000KCM1" in battery.text


def test_a_node_without_a_bpnl_offers_no_pcf(network: Network) -> None:
    supplier, customer = _world(network, pcf=PcfSettings(company_name="set, but no BPNL"))
    assert supplier.services.settings.pcf is not None and not supplier.services.settings.pcf.enabled
    refused = fetch(customer, DATASET, supplier.did, "pcf-9.0.0")
    assert refused.status_code != 200 and "catalog" in refused.text


def test_wrong_declarations_fail_at_startup_naming_the_key() -> None:
    with pytest.raises(ConfigurationError, match=r"pcf\.bpns: not a BPNS"):
        load_settings(pcf={**DECLARATIONS, "bpns": "site 7"})
    with pytest.raises(ConfigurationError, match=r"pcf\.region: not a 9\.0\.0 region"):
        load_settings(pcf={**DECLARATIONS, "region": "Kansai"})
    with pytest.raises(ConfigurationError, match=r"pcf\.valid_from is required"):
        load_settings(pcf={k: v for k, v in DECLARATIONS.items() if k != "valid_from"})
    with pytest.raises(ConfigurationError, match=r"pcf\.valid_to: ends before it starts"):
        load_settings(pcf={**DECLARATIONS, "valid_to": "2025-06-01T00:00:00Z"})
    with pytest.raises(ConfigurationError, match=r"pcf\.exempted_emissions_percent"):
        load_settings(pcf={**DECLARATIONS, "exempted_emissions_percent": "12"})
    with pytest.raises(ConfigurationError, match="pcf"):
        load_settings(pcf={**DECLARATIONS, "valid_from": "2026-01-01T00:00:00"})  # no time zone
    with pytest.raises(ConfigurationError, match="pcf"):
        load_settings(pcf={**DECLARATIONS, "price": "1"})  # only the declarations listed


def test_pcf_settings_come_from_the_toml_file(tmp_path: Path) -> None:
    config = tmp_path / "node.toml"
    config.write_text(
        "[pcf]\n"
        'bpnl = "BPNL00000000KCM1"\nbpns = "BPNS00000000KCM1"\ncompany_name = "Kansai Cathode Materials K.K."\n'
        'region = "Eastern Asia"\nvalid_from = 2026-01-01T00:00:00Z\nvalid_to = 2026-12-31T23:59:59Z\n'
        "reference_period_start = 2025-01-01T00:00:00Z\nreference_period_end = 2025-12-31T23:59:59Z\n"
        'exempted_emissions_percent = "1.5"\nccs_included = false\n',
        encoding="utf-8",
    )
    settings = load_settings(config)
    assert settings.pcf is not None and settings.pcf.enabled
    assert settings.pcf.valid_from == datetime(2026, 1, 1, tzinfo=UTC)
    assert settings.pcf.exempted_emissions_percent == Decimal("1.5")
