"""A battery passport as AAS V3.0 submodels following IDTA 02035-1…7 (Digital Battery Passport).

Layout: `SUBMODEL_SEMANTIC_IDS` (idShort → semanticId of the 7 parts) · `MAPPED_6_1_0_PATHS` · `encode_submodels`
(7 Instance submodels) · `encode_environment` (jsonable environment with the battery's shell). The elements come
from `aas_parts` (1, 3, 6, 7), `aas_documents` (2) and `aas_performance` (4, 5), built with `aas_elements`.

Input is a Catena-X BatteryPass 6.1.0 tree, possibly a filtered view: an absent member removes the elements it would
feed, and nothing is invented. ``x-passbridge.annexXIII.manufacturer`` feeds the manufacturer elements;
``x-passbridge.owner`` is never read. Ids are ``{base_id}/submodels/{passport_id}/{idShort}`` with the passport id
percent-encoded. Numbers are written from their Decimal digits in the template's value type; a value outside that
type's value space (``96.5`` for an xs:integer, ``7172-75-08`` for an xs:date) is left out, never rounded.

Mapping (template element ← 6.1.0 path, arrays transparent; "ext." = ``x-passbridge.annexXIII.manufacturer``)

02035-1 BatteryNameplate: URIOfTheProduct ← identification.idDmc · ManufacturerName ← ext.name ·
AddressInformation (drop-in of IDTA 02002 ContactInformation: Street, Zipcode, CityTown, NationalCode, Email/
EmailAddress, AddressOfAdditionalLink) ← ext.postalAddress.street/postalCode/city/country, ext.email, ext.web ·
SerialNumber ← identification.identification.serial.value where key = partInstanceId · DateOfManufacture ←
operation.manufacturer.manufacturingDate · DateOfPuttingIntoService ← operation.intoServiceDate ·
UniqueFacilityIdentifier ← operation.manufacturer.facility.facility (the first) · LifeCycleStage (+ ECLASS valueId)
← sustainability.status · OperatorIdentifier ← metadata.economicOperatorId · ManufacturerIdentifier ←
operation.manufacturer.manufacturer · EUDeclarationOfConformity ← conformity.declarationOfConformityId and the
identifiers of conformity.declarationOfConformity · ResultsOfTestReportsProvingCompliance ← identifiers of
conformity.resultOfTestReport. No counterpart: Markings (6.1.0 has no marking records).

02035-2 HandoverDocumentation: Documents ← every 6.1.0 document list (see `aas_documents.DOCUMENT_LISTS`) and
ext. ``instructionsForUse``: DocumentIds (DocumentDomainId = passport id, DocumentIdentifier = 6.1.0 path),
DocumentClassifications (the 6.1.0 attribute; sources.category as a second one), DocumentVersions/Title ← header,
DigitalFiles ← content + contentType (sources.type). No counterpart: Language, Version, Subtitle, Description.

02035-3 CarbonFootprint: ProductCarbonFootprints ← sustainability.carbonFootprint with type "Climate Change
Total": PcfCO2eq ← value · ReferenceImpactUnitForCalculation ← the part of unit after "/" ("kg CO2 / kWh" → kWh) ·
LifeCyclePhases ← lifecycle · PerformanceClass ← performanceClass · WebLinkToPublicCarbonFootprintStudy ←
identifiers of its declaration. No counterpart: PcfCalculationMethods (6.1.0 has a rulebook document, not a
method name), QuantityOfMeasureForCalculation (not stated).

02035-4 TechnicalData: GeneralInformation/ManufacturerName ← ext.name · ManufacturerIdentifier ←
operation.manufacturer.manufacturer · BatteryCategory ← identification.category · BatteryMass (kg) ←
characteristics.physicalDimension.weight.value converted exactly from weight.unit · WarrantyInformation/
WarrantyPeriod (ISO 8601) ← characteristics.warranty.lifeValue + lifeUnit (day, month, year only).
TechnicalPropertyAreas: CapacityEnergyVoltage/Nominal-, Min-, MaxVoltage ← performance.rated.voltage.nominal/min/
max, RatedCapacity ← performance.rated.capacity.value, CapacityFade ← performance.dynamic.capacity.fade.value,
CertifiedUsableBatteryEnergy ← performance.rated.energy.value · RoundTripEnergyEfficiency/Initial… (xs:integer)
← performance.rated.roundTripEfficiency.initial, …At50PercentOfCycleLife (xs:integer) ← …50PercentLife,
EnergyRoundTripEfficiencyFade ← performance.dynamic.roundTripEfficiency.fade.value, InitialSelfDischargingRate
(xs:integer) ← performance.rated.selfDischargingRate · Resistance/InitialInternalResistanceOnBattery{Cell,Pack,
Module}Level ← performance.rated.resistance.cell/pack/module, InternalResistanceIncreaseOfBattery{Cell,Pack,
Module}Level ← performance.dynamic.resistance.increase.*.value · PowerCapability/MaximumPermittedBatteryPower ←
performance.rated.power.value, PowerFade ← performance.dynamic.power.fade.value, OriginalPowerCapability (atSoc
20, 80) ← performance.rated.power.at20SoC/at80SoC · Temperature/TemperatureRangeIdleState_{Lower,Upper}Boundary ←
performance.rated.temperature.lower/upper · Lifetime/ExpectedLifetimeInCalendarYears ←
performance.rated.lifetime.expectedYears, ExpectedNumberOfCycles ← …cycleLifeTesting.cycles,
CapacityThresholdExhaustion ← performance.rated.capacity.thresholdExhaustion, CRateOfRelevantCycleLifeTest ←
…cycleLifeTesting.appliedDischargeRate/appliedChargeRate when they agree. No counterpart: CompanyLogo,
ProductImages, RatioNorminalBatteryPowerAndBatteryEnergy (a ratio 6.1.0 does not state).

02035-5 ProductCondition: {EnergyThroughput, CapacityThroughput, NumberOfFullCycles, StateOfCertifiedEnergy,
RemainingEnergy, RemainingCapacity, RemainingRoundTripEnergyEfficiency, StateOfCharge}/…Value + LastUpdate ←
performance.dynamic.{energy.throughput, capacity.throughput, fullCycles, energy.soce, energy.remaining,
capacity.capacity, roundTripEfficiency.remaining, stateOfCharge}.value + .time · NegativeEvents/
NegativeEventValue ← performance.dynamic.negativeEvents.header · CurrentSelfDischargingRate/…Value ←
performance.dynamic.selfDischargingRate (no time in 6.1.0). No counterpart: InformationOnAccidents,
TemperatureInformation, EvolutionOfSelfDischarge, RemainingPowerCapability (the template states it in %,
6.1.0 performance.dynamic.power.remaining in W).

02035-6 MaterialComposition: BatteryChemistry/ClearName ← identification.chemistry · BatteryMaterials ←
materials.composition (BatteryMaterialIdentifier/Name ← the first id.id/id.name, BatteryMaterialLocation/
ComponentName ← location, IsCriticalRawMaterial ← critical), then materials.active.{nickel, lithium, cobalt,
lead} (name = member name) and materials.active.other (identifier/name ← first materialIdentification) ·
HazardousSubstances ← materials.hazardous.{cadmium, mercury, lead, other} (HazardousSubstanceName,
HazardousSubstanceIdentifier as above, HazardousSubstanceConcentration in % w/w ← concentration converted exactly
from materialUnit, HazardousSubstanceLocation/ComponentName ← location). No counterpart: BatteryChemistry/
ShortName, ComponentId, BatteryMaterialMass (6.1.0 gives concentrations, not masses), HazardousSubstanceClass,
HazardousSubstanceImpact (6.1.0 has impact documents; they go to HandoverDocumentation).

02035-7 Circularity: DismantlingAndRemovalInformation ← identifiers of safety.dismantling and
safety.removalFromAppliance · SparePartSources (one supplier entry, only if handling.applicable is true)/
Components/PartName, PartNumber ← handling.content.sparePart.nameAtManufacturer/manufacturerPartId ·
SafetyMeasures/SafetyInstructions ← identifiers of safety.safetyMeasures and safety.safeDischarging,
ExtinguishingAgents ← safety.usableExtinguishAgent.media · EndOfLifeInformation/WastePrevention, SeparateCollection
← identifiers of sustainability.documents.wastePrevention/separateCollection. No counterpart: the supplier's name,
address, e-mail and web address (6.1.0 names producers only by BPNL, unlinked to the parts),
RecycledContentInformation (6.1.0 ``recycled`` is one share, the template needs it split into pre- and
post-consumer), EndOfLifeInformation/InformationOnCollection, RenewableContent (6.1.0 has per-material shares only).

Shell: globalAssetId ← metadata.passportIdentifier (else the passport id); specificAssetIds manufacturerPartId ←
identification.identification.type.manufacturerPartId, partInstanceId ← as SerialNumber.

6.1.0 attributes without counterpart: specVersion; identification.identification.{batch, codes, classification,
dataCarrier, type.nameAtManufacturer}; operation.manufacturer.facility beyond the first; characteristics.
physicalDimension.{length, width, height}; sustainability.carbonFootprint.manufacturingPlant and footprints of other
impact categories; metadata.* but economicOperatorId and passportIdentifier; commercial.*;
performance.rated.*.temperature, *.depthOfDischarge, lifetime.cycleLifeTesting.temperature;
performance.dynamic.power.remaining, resistance.remaining.*, the .time of the fades; materials.*.recycled,
composition.{concentration, unit, renewable}, active.lead.{concentration, materialUnit}, hazardous.*.critical,
*.recycled, the identification type; handling.content.producer; safety.usableExtinguishAgent.fireClass.
`MAPPED_6_1_0_PATHS` is the exact complement, as a set of leaf paths.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from urllib.parse import quote

from aas_core3 import jsonization, types as aas, verification

from passbridge.ecosystems.idta.aas_documents import DOCUMENT_LISTS, Document, collect_documents, handover_elements
from passbridge.ecosystems.idta.aas_elements import text_at
from passbridge.ecosystems.idta.aas_parts import (
    carbon_footprint_elements,
    circularity_elements,
    material_composition_elements,
    nameplate_elements,
    part_instance_id,
)
from passbridge.ecosystems.idta.aas_performance import product_condition_elements, technical_data_elements
from passbridge.jsontypes import JsonObject

__all__ = ["MAPPED_6_1_0_PATHS", "SUBMODEL_SEMANTIC_IDS", "encode_environment", "encode_submodels"]

SUBMODEL_SEMANTIC_IDS: Mapping[str, str] = {
    "BatteryNameplate": "https://admin-shell.io/idta/digitalbatterypassport/nameplate/1/0/Nameplate",
    "HandoverDocumentation": "0173-1#01-AHF578#003",
    "CarbonFootprint": "https://admin-shell.io/idta/CarbonFootprint/CarbonFootprint/1/0",
    "TechnicalData": "https://admin-shell.io/idta/digitalbatterypassport/TechnicalData/1/0",
    "ProductCondition": "urn:samm:io.admin-shell.idta.batterypass.product_condition:1.0.0#ProductCondition",
    "MaterialComposition": "urn:samm:io.admin-shell.idta.batterypass.material_composition:1.0.0#MaterialComposition",
    "Circularity": "urn:samm:io.admin-shell.idta.batterypass.circularity:1.0.0#Circularity",
}
"""idShort → semanticId of the IDTA 02035-1…7 submodels, in part order.

HandoverDocumentation's template states its semanticId as a ModelReference to a "Submodel" key; it is written here
as the ExternalReference every other part uses, with the same value.
"""

_DOCUMENT_LEAVES = frozenset(
    f"{path.replace('[]', '')}.{leaf}"
    for path in DOCUMENT_LISTS
    for leaf in (
        ("header", "content", "type", "category") if path == "sources" else ("header", "content", "contentType")
    )
)
_DYNAMIC_MEASURED: tuple[str, ...] = (
    "capacity.capacity",
    "capacity.throughput",
    "energy.remaining",
    "energy.soce",
    "energy.throughput",
    "fullCycles",
    "roundTripEfficiency.remaining",
    "stateOfCharge",
)

MAPPED_6_1_0_PATHS: frozenset[str] = _DOCUMENT_LEAVES | frozenset(
    {
        "characteristics.physicalDimension.weight.unit",
        "characteristics.physicalDimension.weight.value",
        "characteristics.warranty.lifeUnit",
        "characteristics.warranty.lifeValue",
        "conformity.declarationOfConformityId",
        "handling.applicable",
        "handling.content.sparePart.manufacturerPartId",
        "handling.content.sparePart.nameAtManufacturer",
        "identification.category",
        "identification.chemistry",
        "identification.idDmc",
        "identification.identification.serial.key",
        "identification.identification.serial.value",
        "identification.identification.type.manufacturerPartId",
        *(
            f"materials.active.{name}.{leaf}"
            for name in ("nickel", "lithium", "cobalt", "lead", "other")
            for leaf in ("critical", "location")
        ),
        "materials.active.other.materialIdentification.id",
        "materials.active.other.materialIdentification.name",
        "materials.composition.critical",
        "materials.composition.id.id",
        "materials.composition.id.name",
        "materials.composition.location",
        *(
            f"materials.hazardous.{name}.{leaf}"
            for name in ("cadmium", "mercury", "lead", "other")
            for leaf in ("concentration", "location", "materialUnit")
        ),
        "materials.hazardous.other.materialIdentification.id",
        "materials.hazardous.other.materialIdentification.name",
        "metadata.economicOperatorId",
        "metadata.passportIdentifier",
        "operation.intoServiceDate",
        "operation.manufacturer.facility.facility",
        "operation.manufacturer.manufacturer",
        "operation.manufacturer.manufacturingDate",
        *(f"performance.dynamic.{measured}.{leaf}" for measured in _DYNAMIC_MEASURED for leaf in ("value", "time")),
        "performance.dynamic.capacity.fade.value",
        "performance.dynamic.power.fade.value",
        "performance.dynamic.resistance.increase.cell.value",
        "performance.dynamic.resistance.increase.module.value",
        "performance.dynamic.resistance.increase.pack.value",
        "performance.dynamic.roundTripEfficiency.fade.value",
        "performance.dynamic.selfDischargingRate",
        "performance.rated.capacity.thresholdExhaustion",
        "performance.rated.capacity.value",
        "performance.rated.energy.value",
        "performance.rated.lifetime.cycleLifeTesting.appliedChargeRate",
        "performance.rated.lifetime.cycleLifeTesting.appliedDischargeRate",
        "performance.rated.lifetime.cycleLifeTesting.cycles",
        "performance.rated.lifetime.expectedYears",
        "performance.rated.power.at20SoC",
        "performance.rated.power.at80SoC",
        "performance.rated.power.value",
        "performance.rated.resistance.cell",
        "performance.rated.resistance.module",
        "performance.rated.resistance.pack",
        "performance.rated.roundTripEfficiency.50PercentLife",
        "performance.rated.roundTripEfficiency.initial",
        "performance.rated.selfDischargingRate",
        "performance.rated.temperature.lower",
        "performance.rated.temperature.upper",
        "performance.rated.voltage.max",
        "performance.rated.voltage.min",
        "performance.rated.voltage.nominal",
        "safety.usableExtinguishAgent.media",
        "sustainability.carbonFootprint.lifecycle",
        "sustainability.carbonFootprint.performanceClass",
        "sustainability.carbonFootprint.type",
        "sustainability.carbonFootprint.unit",
        "sustainability.carbonFootprint.value",
        "sustainability.status",
    }
)
"""6.1.0 leaf paths (dotted, arrays transparent) whose value can feed an element of `encode_environment`.

"Feeds" includes the members that select or convert a value: a unit (``weight.unit``), a key (``serial.key``), a
filter (``carbonFootprint.type``, ``handling.applicable``). Every document's ``header``, ``content`` and
``contentType`` feed HandoverDocumentation.
"""

_Part = Callable[[JsonObject, tuple[Document, ...], str], list[aas.SubmodelElement]]

_PARTS: tuple[tuple[str, _Part], ...] = (
    ("BatteryNameplate", lambda content, documents, _: nameplate_elements(content, documents)),
    ("HandoverDocumentation", lambda _, documents, domain: handover_elements(documents, domain_id=domain)),
    ("CarbonFootprint", lambda content, documents, _: carbon_footprint_elements(content, documents)),
    ("TechnicalData", lambda content, _, __: technical_data_elements(content)),
    ("ProductCondition", lambda content, _, __: product_condition_elements(content)),
    ("MaterialComposition", lambda content, _, __: material_composition_elements(content)),
    ("Circularity", lambda content, documents, _: circularity_elements(content, documents)),
)


def _ids(base_id: str, passport_id: str) -> tuple[str, str]:
    """The id prefix of the passport's submodels and the id of its shell; the passport id is percent-encoded."""
    base, passport = base_id.rstrip("/"), quote(passport_id, safe="")
    return f"{base}/submodels/{passport}", f"{base}/shells/{passport}"


def encode_submodels(content: JsonObject, *, passport_id: str, base_id: str) -> list[aas.Submodel]:
    """The 7 IDTA 02035 Instance submodels of a passport, in part order; a part without content has no elements.

    Args:
        content: BatteryPass 6.1.0 tree (numbers as Decimal), possibly a filtered view, possibly with the
            ``x-passbridge`` extension member.
        passport_id: our id of the passport; names the submodels and is the DocumentDomainId of its documents.
        base_id: prefix of the ids, e.g. ``https://passbridge.example/aas``.
    """
    prefix, _ = _ids(base_id, passport_id)
    documents = collect_documents(content)
    return [
        aas.Submodel(
            id=f"{prefix}/{id_short}",
            id_short=id_short,
            kind=aas.ModellingKind.INSTANCE,
            semantic_id=aas.Reference(
                type=aas.ReferenceTypes.EXTERNAL_REFERENCE,
                keys=[aas.Key(type=aas.KeyTypes.GLOBAL_REFERENCE, value=SUBMODEL_SEMANTIC_IDS[id_short])],
            ),
            submodel_elements=build(content, documents, passport_id) or None,
        )
        for id_short, build in _PARTS
    ]


def _identifier(value: str | None) -> str | None:
    """`value` if it is a V3.0 Identifier (1 to 2000 XML characters), else None."""
    return value if value and len(value) <= 2000 and verification.matches_xml_serializable_string(value) else None


def _shell(
    content: JsonObject, submodels: list[aas.Submodel], *, shell_id: str, passport_id: str
) -> aas.AssetAdministrationShell:
    asset_ids = (
        ("manufacturerPartId", _identifier(text_at(content, "identification.identification.type.manufacturerPartId"))),
        ("partInstanceId", _identifier(part_instance_id(content))),
    )
    specific = [aas.SpecificAssetID(name=name, value=value) for name, value in asset_ids if value is not None]
    return aas.AssetAdministrationShell(
        id=shell_id,
        id_short="BatteryPassport",
        asset_information=aas.AssetInformation(
            asset_kind=aas.AssetKind.INSTANCE,
            global_asset_id=_identifier(text_at(content, "metadata.passportIdentifier")) or passport_id,
            specific_asset_ids=specific or None,
        ),
        submodels=[
            aas.Reference(
                type=aas.ReferenceTypes.MODEL_REFERENCE,
                keys=[aas.Key(type=aas.KeyTypes.SUBMODEL, value=submodel.id)],
            )
            for submodel in submodels
        ],
    )


def encode_environment(content: JsonObject, *, passport_id: str, base_id: str) -> dict[str, object]:
    """The jsonable AAS V3.0 environment: the battery's shell and the 7 submodels of `encode_submodels`.

    The shell's globalAssetId is ``metadata.passportIdentifier`` (our passport id when the view hides it); its
    specificAssetIds are the Catena-X ``manufacturerPartId`` and ``partInstanceId``.
    """
    submodels = encode_submodels(content, passport_id=passport_id, base_id=base_id)
    _, shell_id = _ids(base_id, passport_id)
    environment = aas.Environment(
        asset_administration_shells=[_shell(content, submodels, shell_id=shell_id, passport_id=passport_id)],
        submodels=submodels,
    )
    jsonable = jsonization.to_jsonable(environment)
    return dict(jsonable) if isinstance(jsonable, Mapping) else {}
