"""`materials` of the Catena-X BatteryPass 6.1.0 aspect: active materials, hazardous substances, composition.

Layout: shared pieces (concentration unit, material identifiers, the active / hazardous property sets) ·
`MATERIALS`. Annex XIII 1(b) chemistry and hazardous substances, 1(e) recycled content, 2(a) detailed composition.
"""

from __future__ import annotations

from passbridge.passport.battery_pass_types import (
    BOOLEAN,
    DOCUMENTS,
    IDENTIFIER,
    PERCENTAGE,
    POSITIVE,
    TEXT,
    enumeration,
    optional,
)
from passbridge.passport.spec import Arr, Obj, Prop

_CONCENTRATION_UNIT = enumeration(
    "ConcentrationEnumeration",
    "unit:partPerMillion",
    "unit:percent",
    "unit:percentVolume",
    "unit:partPerThousand",
    "unit:partPerTrillionUs",
    "unit:partPerBillionUs",
)
_MATERIAL_IDS = Arr(
    Obj(
        (
            Prop("id", IDENTIFIER),
            Prop("type", enumeration("ListTypeEnumerationId", "CAS", "EC", "IUPAC")),
            Prop("name", TEXT),
        ),
        characteristic="MaterialIdEntity",
    ),
    characteristic="MaterialIdList",
)
_ACTIVE_PROPS = (
    Prop("location", TEXT),
    Prop("recycled", PERCENTAGE),
    Prop("documentation", DOCUMENTS),
    Prop("critical", BOOLEAN),
)
_HAZARD_PROPS = (
    Prop("impactOfSubstances", DOCUMENTS),
    Prop("concentration", POSITIVE),
    Prop("location", TEXT),
    Prop("materialUnit", _CONCENTRATION_UNIT),
    Prop("critical", BOOLEAN),
    Prop("documentation", DOCUMENTS),
)
_MATERIAL_ACTIVE = Obj(_ACTIVE_PROPS, characteristic="MaterialActive")
_LEAD = Obj((*_HAZARD_PROPS, Prop("recycled", PERCENTAGE)), characteristic="LeadCharacteristic")
_HAZARDOUS = Obj(_HAZARD_PROPS, characteristic="HazardousCharacteristic")
MATERIALS = Obj(
    (
        Prop(
            "active",
            Obj(
                (
                    Prop("nickel", _MATERIAL_ACTIVE),
                    Prop("lithium", _MATERIAL_ACTIVE),
                    Prop("cobalt", _MATERIAL_ACTIVE),
                    Prop("lead", _LEAD),
                    optional(
                        "other",
                        Arr(
                            Obj(
                                (*_ACTIVE_PROPS, Prop("materialIdentification", _MATERIAL_IDS)),
                                characteristic="OtherActiveMaterialsEntity",
                            ),
                            characteristic="OtherActiveMaterialsList",
                        ),
                    ),
                ),
                characteristic="ActiveMaterialsCharacteristic",
            ),
        ),
        Prop(
            "hazardous",
            Obj(
                (
                    Prop("cadmium", _HAZARDOUS),
                    Prop("mercury", _HAZARDOUS),
                    optional(
                        "other",
                        Arr(
                            Obj(
                                (*_HAZARD_PROPS, Prop("materialIdentification", _MATERIAL_IDS)),
                                characteristic="OtherHazardousMaterialEntity",
                            ),
                            characteristic="OtherHazardousMaterialList",
                        ),
                    ),
                    Prop("lead", _LEAD),
                ),
                characteristic="HazardousSubstanceCharacteristic",
            ),
        ),
        Prop(
            "composition",
            Arr(
                Obj(
                    (
                        Prop("id", _MATERIAL_IDS),
                        Prop("concentration", POSITIVE),
                        Prop("unit", _CONCENTRATION_UNIT),
                        Prop("critical", BOOLEAN),
                        Prop("documentation", DOCUMENTS),
                        Prop("recycled", PERCENTAGE),
                        Prop("location", TEXT),
                        Prop("renewable", PERCENTAGE),
                    ),
                    characteristic="MaterialCompositionEntity",
                ),
                characteristic="MaterialCompositionList",
            ),
        ),
    ),
    characteristic="ChemicalMaterialCharacteristic",
)
"""`materials`: required nickel, lithium, cobalt and lead even where the chemistry has none (6.1.0 says so)."""

__all__ = ["MATERIALS"]
