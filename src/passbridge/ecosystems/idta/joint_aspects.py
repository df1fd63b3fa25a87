"""Export a battery passport as the 7 joint Catena-X/IDTA battery passport aspects (IDTA 02035-1…7, CX-0160).

Layout: `encode_joint_aspects` is the entry point; Nameplate and CarbonFootprint are encoded here, the other aspects
in `joint_aspects_documents` (HandoverDocumentation), `joint_aspects_performance` (TechnicalData, ProductCondition)
and `joint_aspects_circularity` (MaterialComposition, Circularity). `JOINT_ASPECT_URNS` names the SAMM aspects and
`MAPPED_6_1_0_PATHS` lists the 6.1.0 leaves that feed them.

Input: a Catena-X BatteryPass 6.1.0 content tree (numbers as Decimal), possibly a filtered view, plus the extension
``x-passbridge.annexXIII`` (manufacturer name/address/contact, instructions for use). ``x-passbridge.owner`` is
never read. An absent member only removes what it would feed; nothing is invented. Numbers are carried unchanged,
or converted by exact Decimal arithmetic where the aspect fixes another unit.

Where 6.1.0 went:
- identification, operation, status, conformity → Nameplate (status → ``LifeCycleStage``; passport identifier →
  ``URIOfTheProduct``; ``partInstanceId`` → ``SerialNumber``; the single manufacturing facility → facility id);
- every document list, ``sources`` and the Annex XIII instructions for use → HandoverDocumentation;
- ``sustainability.carbonFootprint`` ("Climate Change Total" entries) → CarbonFootprint;
- ``performance.rated``, warranty, mass, category → TechnicalData (plus the fade/increase values it requires);
- ``performance.dynamic`` → ProductCondition;
- ``materials`` (chemistry, composition, other active and other hazardous substances) → MaterialComposition;
- ``safety`` (dismantling, safety measures, extinguishing agents), waste documents, ``handling`` → Circularity.

6.1.0 attributes with no counterpart in any joint aspect (not exported):
- ``specVersion``; ``identification.idDmc``; ``identification.identification.batch``, ``.type``
  (manufacturerPartId, nameAtManufacturer), ``.codes``, ``.dataCarrier``, ``.classification``; serial keys other
  than ``partInstanceId``;
- ``characteristics.physicalDimension.height/length/width``;
- ``sustainability.carbonFootprint[].manufacturingPlant``, and entries of the other 18 EF impact categories;
- ``materials.active.nickel/lithium/cobalt/lead`` (location, recycled, critical, lead concentration/unit) and
  ``materials.active.other[].recycled``: the aspects need pre/post-consumer recycled shares;
- ``materials.hazardous.cadmium/mercury/lead`` values (the joint list excludes these three) and
  ``hazardous.other[].critical``;
- ``materials.composition[].concentration/unit/recycled/renewable``;
- test conditions: ``performance.rated.*.temperature``, ``rated.roundTripEfficiency.depthOfDischarge``,
  ``rated.lifetime.cycleLifeTesting.temperature/depthOfDischarge/appliedChargeRate``;
- ``performance.dynamic.resistance.remaining``, and the timestamps of the fade/increase values (TechnicalData has no
  timestamp);
- ``metadata`` except ``passportIdentifier`` and ``economicOperatorId``; ``commercial``;
- from the extension: ``annexXIII.manufacturer.tradeName`` (the nameplate has no trade-name member).

Required joint members with no 6.1.0 source (left out, so the full export of that aspect is not schema-valid):
Nameplate ``Markings``; HandoverDocumentation ``DocumentVersions[].Language``; ProductCondition
``TemperatureInformation``, ``CurrentSelfDischargingRate.LastUpdate``, ``RemainingPowerCapabilityValue.AtSoC``;
Circularity ``RecycledContentInformation``, ``RenewableContent`` and, unless the source is the manufacturer,
``SparePartSources[]`` name/address/e-mail/web. Each module's docstring gives the reasons.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal

from passbridge.ecosystems.idta.joint_aspects_circularity import encode_circularity, encode_material_composition
from passbridge.ecosystems.idta.joint_aspects_content import (
    Node,
    Number,
    Payload,
    compact,
    lang_text,
    prune,
    unique_strings,
)
from passbridge.ecosystems.idta.joint_aspects_documents import DOCUMENT_LISTS, DocumentCatalogue
from passbridge.ecosystems.idta.joint_aspects_performance import encode_product_condition, encode_technical_data
from passbridge.jsontypes import JsonObject

EXTENSION_MEMBER = "x-passbridge"

JOINT_ASPECT_URNS: Mapping[str, str] = {
    "NameplateBattery": "urn:samm:io.admin-shell.idta.batterypass.digital_nameplate:1.0.0#BatteryNameplate",
    "HandoverDocumentationBattery": (
        "urn:samm:io.admin-shell.idta.batterypass.handover_documentation:1.0.0#HandoverDocumentation"
    ),
    "CarbonFootprintBattery": "urn:samm:io.admin-shell.idta.batterypass.carbon_footprint:1.0.0#CarbonFootprintBattery",
    "TechnicalDataBattery": "urn:samm:io.admin-shell.idta.batterypass.technical_data:1.0.1#TechnicalData",
    "ProductConditionBattery": "urn:samm:io.admin-shell.idta.batterypass.product_condition:1.0.1#ProductCondition",
    "MaterialCompositionBattery": (
        "urn:samm:io.admin-shell.idta.batterypass.material_composition:1.0.1#MaterialComposition"
    ),
    "CircularityBattery": "urn:samm:io.admin-shell.idta.batterypass.circularity:1.0.0#Circularity",
}
"""Aspect name (as in the official file names) → SAMM aspect URN (``x-samm-aspect-model-urn`` of its schema)."""

_DOCUMENT_LEAVES = ("contentType", "header", "content")

MAPPED_6_1_0_PATHS: frozenset[str] = frozenset(
    {f"{path}.{leaf}" for path, _ in DOCUMENT_LISTS for leaf in _DOCUMENT_LEAVES}
    | {f"sources.{leaf}" for leaf in ("header", "category", "type", "content")}
    | {
        "identification.category",
        "identification.chemistry",
        "identification.identification.serial.key",
        "identification.identification.serial.value",
        "operation.intoServiceDate",
        "operation.manufacturer.manufacturingDate",
        "operation.manufacturer.manufacturer",
        "operation.manufacturer.facility.facility",
        "characteristics.warranty.lifeValue",
        "characteristics.warranty.lifeUnit",
        "characteristics.physicalDimension.weight.value",
        "characteristics.physicalDimension.weight.unit",
        "sustainability.status",
        "sustainability.carbonFootprint.value",
        "sustainability.carbonFootprint.unit",
        "sustainability.carbonFootprint.type",
        "sustainability.carbonFootprint.lifecycle",
        "sustainability.carbonFootprint.performanceClass",
        "materials.composition.id.id",
        "materials.composition.id.type",
        "materials.composition.id.name",
        "materials.composition.location",
        "materials.composition.critical",
        "materials.active.other.materialIdentification.id",
        "materials.active.other.materialIdentification.type",
        "materials.active.other.materialIdentification.name",
        "materials.active.other.location",
        "materials.active.other.critical",
        "materials.hazardous.other.materialIdentification.id",
        "materials.hazardous.other.materialIdentification.type",
        "materials.hazardous.other.materialIdentification.name",
        "materials.hazardous.other.location",
        "materials.hazardous.other.concentration",
        "materials.hazardous.other.materialUnit",
        "performance.rated.voltage.min",
        "performance.rated.voltage.max",
        "performance.rated.voltage.nominal",
        "performance.rated.roundTripEfficiency.initial",
        "performance.rated.roundTripEfficiency.50PercentLife",
        "performance.rated.energy.value",
        "performance.rated.resistance.cell",
        "performance.rated.resistance.pack",
        "performance.rated.resistance.module",
        "performance.rated.power.value",
        "performance.rated.power.at20SoC",
        "performance.rated.power.at80SoC",
        "performance.rated.capacity.value",
        "performance.rated.capacity.thresholdExhaustion",
        "performance.rated.temperature.lower",
        "performance.rated.temperature.upper",
        "performance.rated.selfDischargingRate",
        "performance.rated.lifetime.expectedYears",
        "performance.rated.lifetime.cycleLifeTesting.cycles",
        "performance.rated.lifetime.cycleLifeTesting.appliedDischargeRate",
        "performance.dynamic.stateOfCharge.value",
        "performance.dynamic.stateOfCharge.time",
        "performance.dynamic.fullCycles.value",
        "performance.dynamic.fullCycles.time",
        "performance.dynamic.selfDischargingRate",
        "performance.dynamic.power.fade.value",
        "performance.dynamic.power.remaining.value",
        "performance.dynamic.power.remaining.time",
        "performance.dynamic.capacity.fade.value",
        "performance.dynamic.capacity.throughput.value",
        "performance.dynamic.capacity.throughput.time",
        "performance.dynamic.capacity.capacity.value",
        "performance.dynamic.capacity.capacity.time",
        "performance.dynamic.roundTripEfficiency.fade.value",
        "performance.dynamic.roundTripEfficiency.remaining.value",
        "performance.dynamic.roundTripEfficiency.remaining.time",
        "performance.dynamic.resistance.increase.cell.value",
        "performance.dynamic.resistance.increase.pack.value",
        "performance.dynamic.resistance.increase.module.value",
        "performance.dynamic.energy.soce.value",
        "performance.dynamic.energy.soce.time",
        "performance.dynamic.energy.remaining.value",
        "performance.dynamic.energy.remaining.time",
        "performance.dynamic.energy.throughput.value",
        "performance.dynamic.energy.throughput.time",
        "conformity.declarationOfConformityId",
        "safety.usableExtinguishAgent.media",
        "safety.usableExtinguishAgent.fireClass",
        "metadata.passportIdentifier",
        "metadata.economicOperatorId",
        "handling.applicable",
        "handling.content.producer.id",
        "handling.content.sparePart.manufacturerPartId",
        "handling.content.sparePart.nameAtManufacturer",
    }
)
"""Dotted 6.1.0 leaf paths (arrays transparent) that feed at least one joint aspect field."""

LIFECYCLE_PHASES: Mapping[str, str] = {
    "raw material acquisition and pre-processing": "A1 - raw material supply (and upstream production)",
    "main product production": "A3 - production",
    "distribution": "A4 - transport to final destination",
    "end of life and recycling": "C3 - recycling, waste treatment",
}
"""Battery Regulation Annex II life cycle stages (6.1.0 ``lifecycle`` text) → DIN DKE SPEC 99100 phases."""

_LIFECYCLE_ENUM = frozenset(
    {
        "A1 - raw material supply (and upstream production)",
        "A1-A3",
        "A3 - production",
        "A4 - transport to final destination",
        "A4-A5",
        "A5 - Installation",
        "B1 - usage phase",
        "B1-B7",
        "B2 - maintenance",
        "B3 - repair",
        "B4 - Replacement",
        "B5 - update/upgrade, refurbishing",
        "B6 - usage energy consumption",
        "B7 - usage water consumption",
        "C1 - reassembly",
        "C1-C4",
        "C2 - transport to recycler",
        "C2-C4",
        "C3 - recycling, waste treatment",
        "C4 - landfill",
        "D - reuse",
    }
)
"""The joint ``LifeCyclePhaseEnum``: a 6.1.0 ``lifecycle`` already written this way is carried as is."""
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_PCF_UNIT = re.compile(r"^(?P<mass>g|kg|t)co2(?:e|eq|-eq|-e|equivalent)?(?:/|per)kwh$")
_KG_EXPONENT = {"g": -3, "kg": 0, "t": 3}


def encode_joint_aspects(content: JsonObject) -> dict[str, dict[str, object]]:
    """Encode a passport content as the payloads of the 7 joint Catena-X/IDTA battery passport aspects.

    Args:
        content: BatteryPass 6.1.0 JSON tree (numbers as Decimal), possibly filtered, with the optional
            ``x-passbridge.annexXIII`` extension.

    Returns:
        Aspect name (keys of `JOINT_ASPECT_URNS`) → JSON payload; an aspect with no source data is ``{}``.
    """
    root = Node(content)
    annex = root[EXTENSION_MEMBER]["annexXIII"]
    manufacturer = annex["manufacturer"]
    documents = DocumentCatalogue(root, annex)
    return {
        "NameplateBattery": _nameplate(root, manufacturer, documents),
        "HandoverDocumentationBattery": documents.handover(),
        "CarbonFootprintBattery": _carbon_footprint(root, documents),
        "TechnicalDataBattery": encode_technical_data(root, manufacturer, documents),
        "ProductConditionBattery": encode_product_condition(root, documents),
        "MaterialCompositionBattery": encode_material_composition(root),
        "CircularityBattery": encode_circularity(root, manufacturer, documents),
    }


def passport_uri(identifier: str | None) -> str | None:
    """The passport identifier as a URI: a bare UUID becomes ``urn:uuid:<uuid>`` (RFC 4122 §3)."""
    if identifier is not None and _UUID.match(identifier):
        return f"urn:uuid:{identifier}"
    return identifier


def _nameplate(content: Node, manufacturer: Node, documents: DocumentCatalogue) -> Payload:
    facilities = unique_strings(node.text() for node in content.find("operation.manufacturer.facility.facility"))
    conformity = content["conformity"]
    return prune(
        {
            "URIOfTheProduct": passport_uri(content.at("metadata.passportIdentifier").text()),
            "ManufacturerName": lang_text(manufacturer["name"].text()),
            "AddressInformation": _address(manufacturer),
            "SerialNumber": _serial_number(content.at("identification.identification.serial")),
            "DateOfManufacture": content.at("operation.manufacturer.manufacturingDate").text(),
            "DateOfPuttingIntoService": content.at("operation.intoServiceDate").text(),
            # one string for "the" facility: with several facilities 6.1.0 does not say which one built this item
            "UniqueFacilityIdentifier": facilities[0] if len(facilities) == 1 else None,
            "LifeCycleStage": content.at("sustainability.status").text(),
            "OperatorIdentifier": content.at("metadata.economicOperatorId").text(),
            "ManufacturerIdentifier": content.at("operation.manufacturer.manufacturer").text(),
            "EUDeclarationOfConformity": _declaration_ids(conformity, documents),
            "ResultsOfTestReportsProvingCompliance": documents.ids(conformity["resultOfTestReport"]),
        }
    )


def _address(manufacturer: Node) -> Payload | None:
    postal = manufacturer["postalAddress"]
    return compact(
        {
            "NationalCode": lang_text(postal["country"].text()),
            "CityTown": lang_text(postal["city"].text()),
            "Company": lang_text(manufacturer["name"].text()),
            "Email": compact({"EmailAddress": manufacturer["email"].text()}),
            "Street": lang_text(postal["street"].text()),
            "ZipCode": lang_text(postal["postalCode"].text()),
            "AddressOfAdditionalLink": manufacturer["web"].text(),
        }
    )


def _serial_number(serials: Node) -> str | None:
    for serial in serials.items():
        if serial["key"].text() == "partInstanceId":
            return serial["value"].text()
    return None


def _declaration_ids(conformity: Node, documents: DocumentCatalogue) -> list[str] | None:
    declaration_id = conformity["declarationOfConformityId"].text()
    links = documents.ids(conformity["declarationOfConformity"])
    if declaration_id is None and links is None:
        return None
    return unique_strings([declaration_id, *(links or [])])


def pcf_per_kwh(value: Number | None, unit: str | None) -> Number | None:
    """A 6.1.0 carbon footprint in kg CO2e per kWh, exactly; None unless the unit is mass of CO2(e) per kWh.

    The 6.1.0 unit is free text (the example says ``kg CO2 / kWh``); g/kg/t of CO2, CO2e or CO2eq per kWh are read.
    """
    if value is None or unit is None:
        return None
    match = _PCF_UNIT.match(re.sub(r"\s+", "", unit.lower().replace("₂", "2")))
    if match is None:
        return None
    exponent = _KG_EXPONENT[match["mass"]]
    return value if exponent == 0 else Decimal(value).scaleb(exponent)


def _carbon_footprint(content: Node, documents: DocumentCatalogue) -> Payload:
    footprints = content.at("sustainability.carbonFootprint")
    if not footprints.present:
        return {}
    # the joint aspect is a product carbon footprint: climate change only, the other EF categories do not fit
    entries = [entry for entry in footprints.items() if entry["type"].text() == "Climate Change Total"]
    return {"ProductCarbonFootprints": [_product_carbon_footprint(entry, documents) for entry in entries]}


def _product_carbon_footprint(entry: Node, documents: DocumentCatalogue) -> Payload:
    co2e = pcf_per_kwh(entry["value"].number(), entry["unit"].text())
    lifecycle = " ".join((entry["lifecycle"].text() or "").split())
    phase = lifecycle if lifecycle in _LIFECYCLE_ENUM else LIFECYCLE_PHASES.get(lifecycle.lower())
    rulebook = entry["rulebook"]
    return prune(
        {
            # the rulebook is the calculation method; its header names it
            "PcfCalculationMethods": unique_strings(r["header"].text() for r in rulebook.items())
            if rulebook.present
            else None,
            "PcfCo2eq": co2e,
            # normalised PCF (per kWh): reference unit kWh, quantity 1, as the aspect prescribes
            "ReferenceImpactUnitForCalculation": "kwH" if co2e is not None else None,
            "QuantityOfMeasureForCalculation": 1 if co2e is not None else None,
            "LifeCyclePhases": [phase] if phase else None,
            "PerformanceClass": entry["performanceClass"].text(),
            "WebLinkToPublicCarbonFootprintStudy": documents.ids(entry["declaration"]),
        }
    )


__all__ = [
    "EXTENSION_MEMBER",
    "JOINT_ASPECT_URNS",
    "LIFECYCLE_PHASES",
    "MAPPED_6_1_0_PATHS",
    "encode_joint_aspects",
    "passport_uri",
    "pcf_per_kwh",
]
