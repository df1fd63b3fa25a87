"""The IDTA 02035 parts 1, 3, 6 and 7 (Nameplate, CarbonFootprint, MaterialComposition, Circularity) from a
BatteryPass 6.1.0 tree.

Layout: one ``*_elements`` function per part, each returning the part's top-level submodel elements in template
order, plus `part_instance_id` (shared with the shell). Part 2 is `aas_documents`, parts 4 and 5 `aas_performance`.

The idShorts, semanticIds and value types are those of the templates IDTA 02035-1 v1.0, -3 v1.0, -6 v1.0.1 and
-7 v1.0.1, written down here as facts (the product never reads the template files). Which 6.1.0 attribute feeds
which element, and why some have no counterpart, is documented in `passbridge.ecosystems.idta.aas_submodels`.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from aas_core3 import types as aas

from passbridge.ecosystems.idta.aas_documents import Document, identifier_list, identifiers_in
from passbridge.ecosystems.idta.aas_elements import (
    flag_at,
    mlp,
    number_at,
    objects_at,
    prop,
    smc,
    sml,
    text_at,
    values_at,
)
from passbridge.jsontypes import JsonObject

__all__ = [
    "carbon_footprint_elements",
    "circularity_elements",
    "material_composition_elements",
    "nameplate_elements",
    "part_instance_id",
]

_STRING = aas.DataTypeDefXSD.STRING
_SMC = aas.AASSubmodelElements.SUBMODEL_ELEMENT_COLLECTION
_PROPERTY = aas.AASSubmodelElements.PROPERTY

_MANUFACTURER = "x-passbridge.annexXIII.manufacturer"
_NP = "urn:samm:io.admin-shell.idta.batterypass.digital_nameplate:1.0.0#"
_TD = "urn:samm:io.admin-shell.idta.batterypass.technical_data:1.0.0#"
_CF = "https://admin-shell.io/idta/CarbonFootprint/"
_CF_SAMM = "urn:samm:io.admin-shell.idta.batterypass.carbon_footprint:1.0.0#"
_MC = "urn:samm:io.admin-shell.idta.batterypass.material_composition:1.0.1#"
_CI = "urn:samm:io.admin-shell.idta.batterypass.circularity:1.0.0#"

_LIFE_CYCLE_STAGES = {
    "original": "0173-1#07-ACC020#001",
    "repurposed": "0173-1#07-ACC021#001",
    "re-used": "0173-1#07-ACC022#001",
    "remanufactured": "0173-1#07-ACC023#001",
    "waste": "0173-1#07-ACC024#001",
}
"""ECLASS value ids of the battery status, from the definition of ``LifeCycleStage`` in IDTA 02035-1."""

_PERCENT_EXPONENT = {
    "unit:percent": 0,
    "unit:partPerThousand": -1,
    "unit:partPerMillion": -4,
    "unit:partPerBillionUs": -7,
    "unit:partPerTrillionUs": -10,
}
"""Powers of ten to percent (w/w), the unit of ``HazardousSubstanceConcentration``; ``unit:percentVolume`` is no w/w."""

_ACTIVE_MATERIALS = ("nickel", "lithium", "cobalt", "lead")
_HAZARDOUS_SUBSTANCES = ("cadmium", "mercury", "lead")


def _elements(*children: aas.SubmodelElement | None) -> list[aas.SubmodelElement]:
    return [child for child in children if child is not None]


def _first_text(content: JsonObject, path: str) -> str | None:
    return next((value for _, value in values_at(content, path) if isinstance(value, str) and value), None)


def part_instance_id(content: JsonObject) -> str | None:
    """The value of the first ``identification.identification.serial`` entry keyed ``partInstanceId``."""
    for _, entry in objects_at(content, "identification.identification.serial[]"):
        value = text_at(entry, "value")
        if text_at(entry, "key") == "partInstanceId" and value is not None:
            return value
    return None


# --- IDTA 02035-1 Digital Nameplate ------------------------------------------------------------------------------


def _address_information(content: JsonObject) -> aas.SubmodelElement | None:
    """The AddressInformation drop-in, filled with IDTA 02002 ContactInformation elements (idShort, ECLASS IRDI)."""
    address = f"{_MANUFACTURER}.postalAddress"
    return smc(
        "AddressInformation",
        "https://admin-shell.io/zvei/nameplate/1/0/ContactInformations/AddressInformation",
        [
            mlp("Street", "0173-1#02-AAO128#002", text_at(content, f"{address}.street")),
            mlp("Zipcode", "0173-1#02-AAO129#002", text_at(content, f"{address}.postalCode")),
            mlp("CityTown", "0173-1#02-AAO132#002", text_at(content, f"{address}.city")),
            mlp("NationalCode", "0173-1#02-AAO134#002", text_at(content, f"{address}.country")),
            smc(
                "Email",
                "0173-1#02-AAQ836#005",
                [prop("EmailAddress", "0173-1#02-AAO198#002", _STRING, text_at(content, f"{_MANUFACTURER}.email"))],
            ),
            prop("AddressOfAdditionalLink", "0173-1#02-AAQ326#002", _STRING, text_at(content, f"{_MANUFACTURER}.web")),
        ],
    )


def nameplate_elements(content: JsonObject, documents: Iterable[Document]) -> list[aas.SubmodelElement]:
    """Top-level elements of ``BatteryNameplate`` (IDTA 02035-1)."""
    documents = tuple(documents)
    stage = text_at(content, "sustainability.status")
    conformity_number = text_at(content, "conformity.declarationOfConformityId")
    declarations = [conformity_number] if conformity_number is not None else []
    declarations += identifiers_in(documents, "conformity.declarationOfConformity")
    return _elements(
        prop(
            "URIOfTheProduct",
            "0112/2///61987#ABN590#002",
            aas.DataTypeDefXSD.ANY_URI,
            text_at(content, "identification.idDmc"),
        ),
        mlp("ManufacturerName", "0112/2///61987#ABA565#009", text_at(content, f"{_MANUFACTURER}.name")),
        _address_information(content),
        prop("SerialNumber", "0112/2///61987#ABA951#009", _STRING, part_instance_id(content)),
        prop(
            "DateOfManufacture",
            "0112/2///61987#ABB757#007",
            aas.DataTypeDefXSD.DATE,
            text_at(content, "operation.manufacturer.manufacturingDate"),
        ),
        prop(
            "DateOfPuttingIntoService",
            f"{_NP}dateOfPuttingIntoService",
            aas.DataTypeDefXSD.DATE,
            text_at(content, "operation.intoServiceDate"),
        ),
        prop(
            "UniqueFacilityIdentifier",
            "https://admin-shell.io/idta/nameplate/3/0/UniqueFacilityIdentifier",
            _STRING,
            _first_text(content, "operation.manufacturer.facility[].facility"),
        ),
        prop(
            "LifeCycleStage",
            "0173-1#02-ABL841#001",
            _STRING,
            stage,
            value_id=_LIFE_CYCLE_STAGES.get(stage) if stage is not None else None,
        ),
        prop(
            "OperatorIdentifier", f"{_NP}operatorIdentifier", _STRING, text_at(content, "metadata.economicOperatorId")
        ),
        prop(
            "ManufacturerIdentifier",
            f"{_TD}manufacturerIdentifier",
            _STRING,
            text_at(content, "operation.manufacturer.manufacturer"),
        ),
        identifier_list("EUDeclarationOfConformity", f"{_NP}euDeclarationOfConformity", declarations),
        identifier_list(
            "ResultsOfTestReportsProvingCompliance",
            f"{_NP}resultsOfTestReportsProvingCompliance",
            identifiers_in(documents, "conformity.resultOfTestReport"),
        ),
    )


# --- IDTA 02035-3 Product Carbon Footprint -----------------------------------------------------------------------


def carbon_footprint_elements(content: JsonObject, documents: Iterable[Document]) -> list[aas.SubmodelElement]:
    """Top-level elements of ``CarbonFootprint`` (IDTA 02035-3): one entry per "Climate Change Total" footprint."""
    documents = tuple(documents)
    footprints: list[aas.SubmodelElement | None] = []
    for where, entry in objects_at(content, "sustainability.carbonFootprint[]"):
        if text_at(entry, "type") != "Climate Change Total":
            continue  # other impact categories are no CO2eq
        unit = text_at(entry, "unit")
        per = unit.rpartition("/")[2].strip() if unit is not None and "/" in unit else None
        footprints.append(
            smc(
                None,
                f"{_CF}ProductCarbonFootprint/1/0",
                [
                    prop("PcfCO2eq", "0173-1#02-ABG855#003", aas.DataTypeDefXSD.DECIMAL, number_at(entry, "value")),
                    prop("ReferenceImpactUnitForCalculation", "0173-1#02-ABG856#003", _STRING, per or None),
                    sml(
                        "LifeCyclePhases",
                        f"{_CF}LifeCyclePhases/1/0",
                        [prop(None, "0173-1#02-ABG858#004", _STRING, text_at(entry, "lifecycle"))],
                        type_value_list_element=_PROPERTY,
                        value_type_list_element=_STRING,
                        semantic_id_list_element="0173-1#02-ABG858#004",
                    ),
                    prop(
                        "PerformanceClass", f"{_CF_SAMM}performanceClass", _STRING, text_at(entry, "performanceClass")
                    ),
                    identifier_list(
                        "WebLinkToPublicCarbonFootprintStudy",
                        f"{_CF_SAMM}webLinkToPublicCarbonFootprintStudy",
                        identifiers_in(documents, f"{where}.declaration"),
                    ),
                ],
            )
        )
    return _elements(
        sml(
            "ProductCarbonFootprints",
            f"{_CF}ProductCarbonFootprints/1/0",
            footprints,
            type_value_list_element=_SMC,
            semantic_id_list_element=f"{_CF}ProductCarbonFootprint/1/0",
        )
    )


# --- IDTA 02035-6 Material Composition ---------------------------------------------------------------------------


def _first_identification(entry: JsonObject, path: str) -> tuple[str | None, str | None]:
    """Identifier and name of the first entry of the 6.1.0 list `path` (``id`` or ``materialIdentification``)."""
    for _, identification in objects_at(entry, f"{path}[]"):
        return text_at(identification, "id"), text_at(identification, "name")
    return None, None


def _component(id_short: str, semantic_id: str, location: str | None) -> aas.SubmodelElement | None:
    return smc(id_short, semantic_id, [prop("ComponentName", f"{_MC}componentName", _STRING, location)])


def _battery_material(name: str | None, identifier: str | None, entry: JsonObject) -> aas.SubmodelElement | None:
    return smc(
        None,
        f"{_MC}BatteryMaterial",
        [
            _component("BatteryMaterialLocation", f"{_MC}batteryMaterialLocation", text_at(entry, "location")),
            prop("BatteryMaterialIdentifier", f"{_MC}batteryMaterialIdentifier", _STRING, identifier),
            prop("BatteryMaterialName", f"{_MC}batteryMaterialName", _STRING, name),
            prop(
                "IsCriticalRawMaterial",
                f"{_MC}isCriticalRawMaterial",
                aas.DataTypeDefXSD.BOOLEAN,
                flag_at(entry, "critical"),
            ),
        ],
    )


def _concentration_percent(entry: JsonObject) -> Decimal | None:
    value = number_at(entry, "concentration")
    exponent = _PERCENT_EXPONENT.get(text_at(entry, "materialUnit") or "")
    return value.scaleb(exponent) if value is not None and exponent is not None else None


def _hazardous_substance(name: str | None, identifier: str | None, entry: JsonObject) -> aas.SubmodelElement | None:
    return smc(
        None,
        f"{_MC}HazardousSubstance",
        [
            prop("HazardousSubstanceName", f"{_MC}hazardousSubstanceName", _STRING, name),
            prop(
                "HazardousSubstanceConcentration",
                f"{_MC}hazardousSubstanceConcentration",
                aas.DataTypeDefXSD.DOUBLE,
                _concentration_percent(entry),
            ),
            _component("HazardousSubstanceLocation", f"{_MC}hazardousSubstanceLocation", text_at(entry, "location")),
            prop("HazardousSubstanceIdentifier", f"{_MC}hazardousSubstanceIdentifier", _STRING, identifier),
        ],
    )


def material_composition_elements(content: JsonObject) -> list[aas.SubmodelElement]:
    """Top-level elements of ``MaterialComposition`` (IDTA 02035-6 v1.0.1).

    ``BatteryMaterials`` lists ``materials.composition`` first, then the active materials; the named 6.1.0 members
    (``materials.active.nickel``, ``materials.hazardous.cadmium`` …) give their member name as the material name.
    """
    materials: list[aas.SubmodelElement | None] = []
    for _, entry in objects_at(content, "materials.composition[]"):
        identifier, name = _first_identification(entry, "id")
        materials.append(_battery_material(name, identifier, entry))
    for name in _ACTIVE_MATERIALS:
        for _, entry in objects_at(content, f"materials.active.{name}"):
            materials.append(_battery_material(name, None, entry))
    for _, entry in objects_at(content, "materials.active.other[]"):
        identifier, name = _first_identification(entry, "materialIdentification")
        materials.append(_battery_material(name, identifier, entry))
    hazards: list[aas.SubmodelElement | None] = []
    for name in _HAZARDOUS_SUBSTANCES:
        for _, entry in objects_at(content, f"materials.hazardous.{name}"):
            hazards.append(_hazardous_substance(name, None, entry))
    for _, entry in objects_at(content, "materials.hazardous.other[]"):
        identifier, name = _first_identification(entry, "materialIdentification")
        hazards.append(_hazardous_substance(name, identifier, entry))
    return _elements(
        smc(
            "BatteryChemistry",
            f"{_MC}batteryChemistry",
            [prop("ClearName", f"{_MC}clearName", _STRING, text_at(content, "identification.chemistry"))],
        ),
        sml("BatteryMaterials", f"{_MC}batteryMaterials", materials, type_value_list_element=_SMC),
        sml("HazardousSubstances", f"{_MC}hazardousSubstances", hazards, type_value_list_element=_SMC),
    )


# --- IDTA 02035-7 Circularity ------------------------------------------------------------------------------------


def _spare_part_sources(content: JsonObject) -> aas.SubmodelElement | None:
    """One supplier entry holding the spare parts; only when 6.1.0 says ``handling.applicable`` is true.

    6.1.0 lists spare-part producers (BPNLs) and spare parts side by side without linking them, and names no
    supplier, so the parts go into one ``SparePartSupplier`` whose supplier fields stay empty.
    """
    if flag_at(content, "handling.applicable") is not True:
        return None  # false means "dummy data may be delivered"; absent means we cannot tell
    parts = [
        smc(
            None,
            f"{_CI}Component",
            [
                prop("PartName", f"{_CI}partName", _STRING, text_at(part, "nameAtManufacturer")),
                prop("PartNumber", f"{_CI}partNumber", _STRING, text_at(part, "manufacturerPartId")),
            ],
        )
        for _, part in objects_at(content, "handling.content.sparePart[]")
    ]
    components = sml("Components", f"{_CI}components", parts, type_value_list_element=_SMC)
    supplier = smc(None, f"{_CI}SparePartSupplier", [components])
    return sml("SparePartSources", f"{_CI}sparePartSources", [supplier], type_value_list_element=_SMC)


def circularity_elements(content: JsonObject, documents: Iterable[Document]) -> list[aas.SubmodelElement]:
    """Top-level elements of ``Circularity`` (IDTA 02035-7 v1.0.1)."""
    documents = tuple(documents)
    agents = [
        prop(None, f"{_CI}ExtinguishingAgent", _STRING, text_at(agent, "media"))
        for _, agent in objects_at(content, "safety.usableExtinguishAgent[]")
    ]
    safety = smc(
        "SafetyMeasures",
        f"{_CI}safetyMeasures",
        [
            identifier_list(
                "SafetyInstructions",
                f"{_CI}safetyInstructions",
                identifiers_in(documents, "safety.safetyMeasures", "safety.safeDischarging"),
            ),
            sml(
                "ExtinguishingAgents",
                f"{_CI}extinguishingAgents",
                agents,
                type_value_list_element=_PROPERTY,
                value_type_list_element=_STRING,
            ),
        ],
    )
    end_of_life = smc(
        "EndOfLifeInformation",
        f"{_CI}endOfLifeInformation",
        [
            identifier_list(
                "WastePrevention",
                f"{_CI}wastePrevention",
                identifiers_in(documents, "sustainability.documents.wastePrevention"),
            ),
            identifier_list(
                "SeparateCollection",
                f"{_CI}separateCollection",
                identifiers_in(documents, "sustainability.documents.separateCollection"),
            ),
        ],
    )
    return _elements(
        identifier_list(
            "DismantlingAndRemovalInformation",
            f"{_CI}dismantlingAndRemovalInformation",
            identifiers_in(documents, "safety.dismantling", "safety.removalFromAppliance"),
        ),
        _spare_part_sources(content),
        safety,
        end_of_life,
    )
