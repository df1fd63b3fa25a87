"""BatteryPass 6.1.0 ``materials``, ``safety`` and ``handling`` as the joint MaterialComposition and Circularity.

Layout: `encode_material_composition` (IDTA 02035-6) and `encode_circularity` (IDTA 02035-7); both point at
documents through the shared `DocumentCatalogue`.

Choices (the why):
- ``BatteryChemistry``: ``"Nickel Cobalt Manganese (NCM)"`` is split into ClearName and the bracketed ShortName;
  a chemistry without a bracketed short form gives ClearName only.
- ``BatteryMaterials`` come from ``materials.composition[]`` and ``materials.active.other[]``, which list materials
  that are present. ``materials.active.nickel/lithium/cobalt/lead`` are mandatory members in 6.1.0 whether or not the
  battery contains the metal (an LFP pass still carries ``cobalt``), so they are not read as "material present".
- ``HazardousSubstances`` come from ``materials.hazardous.other[]`` only: the joint list is defined as substances
  "other than mercury, cadmium or lead". Concentrations are converted exactly to the aspect's percent
  (ppm → 10⁻⁴ %, …); ``unit:percentVolume`` is a volume share and is not converted.
- Identifiers are CAS numbers (``^\\d{2,7}-\\d{2}-\\d$``); an EC or IUPAC id, or a "CAS" id not in CAS form, is not
  carried (the aspect has no other identifier slot).
- ``SparePartSources``: 6.1.0 gives spare-part sources as BPNLs only, without name, address, e-mail or web; when a
  source's BPNL is the manufacturer's (``operation.manufacturer.manufacturer``), its contact comes from the Annex XIII
  manufacturer block, otherwise those required members are left out. 6.1.0 lists parts and sources independently,
  so every source carries the full part list. ``handling.applicable`` false (content is dummy data) gives ``[]``.
- ``InformationOnCollection`` and ``SeparateCollection`` both take ``sustainability.documents.separateCollection``,
  whose 6.1.0 definition covers Art. 74(1)(b) and (c).
- Left out (required, no 6.1.0 source): ``RecycledContentInformation`` (6.1.0 has one ``recycled`` share per active
  material, the aspect needs pre- and post-consumer shares) and ``RenewableContent`` (6.1.0 has per-material
  ``renewable`` shares only, with no mass basis to aggregate them).
"""

from __future__ import annotations

import re
from decimal import Decimal

from passbridge.ecosystems.idta.joint_aspects_content import (
    Node,
    Number,
    Payload,
    compact,
    lang_text,
    prune,
    unique_strings,
)
from passbridge.ecosystems.idta.joint_aspects_documents import DocumentCatalogue

CAS_NUMBER = re.compile(r"^\d{2,7}-\d{2}-\d$")
_CHEMISTRY = re.compile(r"^(?P<clear>.*?\S)\s*\((?P<short>[^()]*\S[^()]*)\)\s*$")

PERCENT_EXPONENTS: dict[str, int] = {
    "unit:percent": 0,
    "unit:partPerThousand": -1,
    "unit:partPerMillion": -4,
    "unit:partPerBillionUs": -7,
    "unit:partPerTrillionUs": -10,
}
"""Power of ten that turns a 6.1.0 ``ConcentrationEnumeration`` value into percent."""


def battery_chemistry(chemistry: str | None) -> Payload | None:
    """Joint ``BatteryChemistry`` from the 6.1.0 chemistry text."""
    if not chemistry:
        return None
    match = _CHEMISTRY.match(chemistry)
    if match is None:
        return {"ClearName": chemistry}
    return {"ShortName": match["short"].strip(), "ClearName": match["clear"]}


def percent(concentration: Number | None, unit: str | None) -> Number | None:
    """A 6.1.0 concentration in percent, exactly; None for missing values and non-mass units."""
    exponent = PERCENT_EXPONENTS.get(unit or "")
    if concentration is None or exponent is None:
        return None
    return concentration if exponent == 0 else Decimal(concentration).scaleb(exponent)


def _substance(identifiers: Node) -> tuple[str | None, str | None]:
    """(CAS number, name) from a 6.1.0 ``materialIdentification`` / ``id`` list."""
    entries = identifiers.items()
    cas = next((e for e in entries if e["type"].text() == "CAS" and CAS_NUMBER.match(e["id"].text() or "")), None)
    named = cas if cas is not None and cas["name"].text() else next((e for e in entries if e["name"].text()), None)
    return (cas["id"].text() if cas else None, named["name"].text() if named else None)


def _material(entry: Node, identifiers: Node) -> Payload:
    cas, name = _substance(identifiers)
    return prune(
        {
            "BatteryMaterialLocation": compact({"ComponentName": entry["location"].text()}),
            "BatteryMaterialIdentifier": cas,
            "BatteryMaterialName": name,
            "IsCriticalRawMaterial": entry["critical"].flag(),
        }
    )


def _hazardous_substance(entry: Node) -> Payload:
    cas, name = _substance(entry["materialIdentification"])
    return prune(
        {
            "HazardousSubstanceName": name,
            "HazardousSubstanceIdentifier": cas,
            "HazardousSubstanceConcentration": percent(entry["concentration"].number(), entry["materialUnit"].text()),
            "HazardousSubstanceLocation": compact({"ComponentName": entry["location"].text()}),
        }
    )


def encode_material_composition(content: Node) -> Payload:
    """The ``MaterialComposition`` (IDTA 02035-6) payload."""
    materials = content["materials"]
    composition, other_active = materials["composition"], materials.at("active.other")
    battery_materials = None
    if composition.present or other_active.present:
        battery_materials = [_material(entry, entry["id"]) for entry in composition.items()]
        battery_materials += [_material(entry, entry["materialIdentification"]) for entry in other_active.items()]
    other_hazardous = materials.at("hazardous.other")
    return prune(
        {
            "BatteryChemistry": battery_chemistry(content.at("identification.chemistry").text()),
            "BatteryMaterials": battery_materials,
            "HazardousSubstances": [_hazardous_substance(e) for e in other_hazardous.items()]
            if other_hazardous.present
            else None,
        }
    )


def _extinguishing_agent(agent: Node) -> str | None:
    media, fire_class = agent["media"].text(), agent["fireClass"].text()
    if media and fire_class:
        return f"{media} (fire class {fire_class})"
    return media or (f"fire class {fire_class}" if fire_class else None)


def _spare_part_sources(content: Node, manufacturer: Node) -> list[Payload] | None:
    handling = content["handling"]
    applicable = handling["applicable"].flag()
    if applicable is False:
        return []  # "if it is not applicable (false), dummy data can be delivered": nothing to export
    producers = handling.at("content.producer")
    if applicable is None or not producers.present:
        return None
    parts = handling.at("content.sparePart")
    components = [
        prune({"PartName": part["nameAtManufacturer"].text(), "PartNumber": part["manufacturerPartId"].text()})
        for part in parts.items()
    ]
    manufacturer_bpnl = content.at("operation.manufacturer.manufacturer").text()
    sources: list[Payload] = []
    for producer in producers.items():
        is_manufacturer = manufacturer_bpnl is not None and producer["id"].text() == manufacturer_bpnl
        source = _supplier(manufacturer if is_manufacturer else Node(None))
        if parts.present:
            source["Components"] = components
        sources.append(source)
    return sources


def _supplier(contact: Node) -> Payload:
    postal = contact["postalAddress"]
    return prune(
        {
            "NameOfSupplier": lang_text(contact["name"].text()),
            "AddressOfSupplier": compact(
                {
                    "NationalCode": lang_text(postal["country"].text()),
                    "PostalCode": lang_text(postal["postalCode"].text()),
                    "Street": lang_text(postal["street"].text()),
                }
            ),
            "EmailAddressOfSupplier": compact({"EmailAddress": contact["email"].text()}),
            "SupplierWebAddress": contact["web"].text(),
        }
    )


def encode_circularity(content: Node, manufacturer: Node, documents: DocumentCatalogue) -> Payload:
    """The ``Circularity`` (IDTA 02035-7) payload.

    Args:
        content: the 6.1.0 content tree.
        manufacturer: ``x-passbridge.annexXIII.manufacturer``, the contact of spare-part sources that are the
            manufacturer.
        documents: the catalogue the document identifiers point into.
    """
    safety, end_of_life = content["safety"], content.at("sustainability.documents")
    agents = safety["usableExtinguishAgent"]
    return prune(
        {
            "DismantlingAndRemovalInformation": documents.ids(safety["dismantling"], safety["removalFromAppliance"]),
            "SparePartSources": _spare_part_sources(content, manufacturer),
            "SafetyMeasures": compact(
                {
                    "SafetyInstructions": documents.ids(safety["safetyMeasures"], safety["safeDischarging"]),
                    "ExtinguishingAgents": unique_strings(map(_extinguishing_agent, agents.items()))
                    if agents.present
                    else None,
                }
            ),
            "EndOfLifeInformation": compact(
                {
                    "WastePrevention": documents.ids(end_of_life["wastePrevention"]),
                    "SeparateCollection": documents.ids(end_of_life["separateCollection"]),
                    "InformationOnCollection": documents.ids(end_of_life["separateCollection"]),
                }
            ),
        }
    )


__all__ = [
    "CAS_NUMBER",
    "PERCENT_EXPONENTS",
    "battery_chemistry",
    "encode_circularity",
    "encode_material_composition",
    "percent",
]
