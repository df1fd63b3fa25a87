"""Value objects refuse bad input in their constructors, naming the field."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from passbridge.errors import InvalidInput
from passbridge.passport.model import PassportId
from passbridge.supplychain.answers import AnsweredElement, OriginShare, StageEmission, SupplierAnswer
from passbridge.supplychain.battery import BatteryInstance, BatteryModel, VehicleCategory, link_passport
from passbridge.supplychain.elements import REGULATED_ELEMENTS, element_name
from passbridge.supplychain.footprints import Dqr, ElementContent, OwnFootprint, Stage, StageFootprint
from passbridge.supplychain.model import BomLine, Operator, Part, Site, is_valid_corporate_number
from passbridge.supplychain.quantities import Unit

D = Decimal
OP = Operator("Kansai Cathode Materials K.K.", "JP", open_operator_id="7000012050002")


def path_of(error: pytest.ExceptionInfo[InvalidInput]) -> str:
    return error.value.violations[0].path


def test_an_operator_needs_one_identifier_and_each_must_be_well_formed() -> None:
    assert Operator("Nordzelle GmbH", "DE", bpnl="BPNL000000000B01").key == "BPNL000000000B01"
    assert Operator("Pack Maker", "JP", did="did:web:pack.example:tenant").key == "did:web:pack.example:tenant"
    cases = [
        ({"name": "X", "country": "JP"}, "openOperatorId"),
        ({"name": "X", "country": "JP", "open_operator_id": "12345"}, "openOperatorId"),
        ({"name": "X", "country": "JP", "bpnl": "BPNS000000000001"}, "bpnl"),
        ({"name": "X", "country": "JP", "did": "web:example"}, "did"),
        ({"name": "X", "country": "Japan", "did": "did:web:x"}, "country"),
        ({"name": " ", "country": "JP", "did": "did:web:x"}, "operatorName"),
    ]
    for fields, path in cases:
        with pytest.raises(InvalidInput) as caught:
            Operator(**fields)
        assert path_of(caught) == path, fields


def test_corporate_number_check_digit_is_available_but_not_enforced() -> None:
    assert is_valid_corporate_number("7000012050002")  # 国税庁
    assert is_valid_corporate_number("1180301018771")
    assert not is_valid_corporate_number("9876543210987")  # Ouranos' openapi example
    assert Operator("A株式会社", "JP", open_operator_id="9876543210987").open_operator_id == "9876543210987"


def test_a_site_needs_a_bpns_or_an_open_plant_id_ending_in_six_digits() -> None:
    assert Site("Himeji", "JP", open_plant_id="HMJ000123").open_plant_id == "HMJ000123"
    with pytest.raises(InvalidInput) as caught:
        Site("Himeji", "JP", open_plant_id="HMJ-12")
    assert path_of(caught) == "openPlantId"
    with pytest.raises(InvalidInput) as caught:
        Site("Himeji", "JP")
    assert path_of(caught) == "openPlantId"


@pytest.mark.parametrize(
    ("amount", "unit", "path"),
    [
        (D("-1"), Unit.KILOGRAM, "amountRequired"),
        (D("Infinity"), Unit.KILOGRAM, "amountRequired"),
        (1.5, Unit.KILOGRAM, "amountRequired"),
        (D("1"), "pound", "amountRequiredUnit"),
    ],
)
def test_a_bom_line_refuses_negative_non_numeric_amounts_and_unknown_units(
    amount: object, unit: object, path: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        BomLine(uuid.uuid4(), uuid.uuid4(), amount, unit)  # type: ignore[arg-type]
    assert path_of(caught) == path


def test_a_part_takes_a_unit_or_its_ouranos_spelling_and_refuses_others() -> None:
    assert Part(uuid.uuid4(), OP, "CAM-811", "kilogram").declared_unit is Unit.KILOGRAM  # type: ignore[arg-type]
    with pytest.raises(InvalidInput) as caught:
        Part(uuid.uuid4(), OP, "CAM-811", "kg")  # type: ignore[arg-type]
    assert path_of(caught) == "declaredUnit"
    assert "kilogram" in str(caught.value)


def test_own_footprints_refuse_negative_emissions_dqr_and_repeated_stages() -> None:
    good = Dqr(D(1), D(1), D(1))
    with pytest.raises(InvalidInput) as caught:
        StageFootprint(Stage.MAIN_PRODUCTION, D("-0.1"), good)
    assert path_of(caught) == "mainProduction.ghgEmission"
    with pytest.raises(InvalidInput) as caught:
        Dqr(D(1), D("-2"), D(1))
    assert path_of(caught) == "dqrValue.GeR"
    with pytest.raises(InvalidInput) as caught:
        OwnFootprint(uuid.uuid4(), Unit.KILOGRAM, (StageFootprint(Stage.DISTRIBUTION, D(1), good),) * 2)
    assert path_of(caught) == "stages"


def test_element_names_and_symbols_are_normalised() -> None:
    assert element_name("Co") == element_name("cobalt") == element_name(" Cobalt ") == "cobalt"
    assert element_name("Pb") == "lead" and element_name("aluminum") == "aluminium"
    assert set(REGULATED_ELEMENTS) == {"cobalt", "lithium", "nickel", "lead"}
    assert ElementContent.of("Li", D("0.1")).element == "lithium"
    for not_an_element in ("CO", "unobtainium", "graphite"):
        with pytest.raises(InvalidInput) as caught:
            element_name(not_an_element, "materials[0].element")
        assert path_of(caught) == "materials[0].element"


def test_material_content_refuses_recycled_or_origin_mass_above_the_mass() -> None:
    with pytest.raises(InvalidInput) as caught:
        ElementContent.of("Ni", D("1"), pre_consumer=D("0.6"), post_consumer=D("0.5"))
    assert path_of(caught) == "materials.nickel.recycledPostConsumer"
    with pytest.raises(InvalidInput) as caught:
        ElementContent.of("Ni", D("1"), origin={"ID": D("0.7"), "PH": D("0.4")})
    assert path_of(caught) == "materials.nickel.origin"
    with pytest.raises(InvalidInput) as caught:
        ElementContent.of("Ni", D("1"), origin={"Indonesia": D("0.7")})
    assert path_of(caught) == "origin.country"


@pytest.mark.parametrize("share", [D("-0.1"), D("1.01")])
def test_origin_shares_outside_zero_to_one_are_refused(share: Decimal) -> None:
    with pytest.raises(InvalidInput) as caught:
        OriginShare("CL", share)
    assert path_of(caught) == "origin.CL"


def test_origin_shares_of_one_element_may_not_add_up_to_more_than_one() -> None:
    with pytest.raises(InvalidInput, match="more than 1"):
        AnsweredElement("Li", D(1), D(0), D(0), (OriginShare("CL", D("0.6")), OriginShare("AU", D("0.5"))))


def test_an_answer_states_every_stage_and_consistent_counts() -> None:
    stages = tuple(StageEmission(s, D(1)) for s in Stage)
    base = {"answer_id": uuid.uuid4(), "trace_id": uuid.uuid4(), "declared_unit": Unit.KILOGRAM, "dqr": None}
    SupplierAnswer(**base, cfp=stages, materials=None, trades_count=3, completed_count=2)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput) as caught:
        SupplierAnswer(**base, cfp=stages[:3], materials=None, trades_count=0, completed_count=0)  # type: ignore[arg-type]
    assert path_of(caught) == "cfp.endOfLifeAndRecycling"
    with pytest.raises(InvalidInput) as caught:
        SupplierAnswer(**base, cfp=None, materials=None, trades_count=1, completed_count=2)  # type: ignore[arg-type]
    assert path_of(caught) == "completedCount"


@pytest.mark.parametrize(
    ("category", "cycles"),
    [
        (VehicleCategory.M1, 60),
        (VehicleCategory.N1, 60),
        (VehicleCategory.L, 20),
        (VehicleCategory.M2, 250),
        (VehicleCategory.M3, 250),
        (VehicleCategory.N2, 250),
        (VehicleCategory.N3, 250),
    ],
)
def test_full_cycles_per_year_default_by_vehicle_category(category: VehicleCategory, cycles: int) -> None:
    model = BatteryModel(uuid.uuid4(), "B-1", category, D("50"), D("10"))
    assert model.full_cycles_per_year == cycles
    assert model.lifetime_energy_kwh == 50 * cycles * 10


def test_cycles_per_year_can_be_overridden_and_figures_must_be_positive() -> None:
    model = BatteryModel(uuid.uuid4(), "B-1", VehicleCategory.M1, D("82.5"), D("8"), D("100"))
    assert model.lifetime_energy_kwh == D("66000.0")
    with pytest.raises(InvalidInput) as caught:
        BatteryModel(uuid.uuid4(), "B-1", VehicleCategory.M1, D("0"), D("8"))
    assert path_of(caught) == "usableCapacityKwh"


def test_a_battery_instance_links_to_one_passport() -> None:
    model = BatteryModel(uuid.uuid4(), "B-1", VehicleCategory.M1, D("75"), D("8"))
    passport = PassportId.new()
    battery = link_passport(BatteryInstance("SN-0001", model), passport)
    assert battery.passport_id == passport and battery.trace_id == model.trace_id
    assert link_passport(battery, passport) == battery
    with pytest.raises(InvalidInput) as caught:
        link_passport(battery, PassportId.new())
    assert path_of(caught) == "passportId"
    own_bom = uuid.uuid4()
    assert BatteryInstance("SN-0002", model, own_trace_id=own_bom).trace_id == own_bom
