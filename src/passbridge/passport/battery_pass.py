"""The Catena-X BatteryPass 6.1.0 aspect model, written as `spec` data, plus the passbridge extension member.

Layout: identification · operation · characteristics · sustainability · conformity · safety · sources · metadata ·
commercial · handling · `BATTERY_PASS`. The larger groups live next door: `battery_pass_materials`,
`battery_pass_performance`, and the `x-passbridge` member in `battery_pass_extension`; the shared SAMM
characteristics (document list, dates, BPN traits, measurements) in `battery_pass_types`.

Source: `eclipse-tractusx/sldt-semantic-models`, `io.catenax.battery.battery_pass/6.1.0` (BatteryPass.ttl and
gen/BatteryPass-schema.json). Names, required flags, enumerations and patterns are the official ones; 6.0.0 is the
same tree without `specVersion`. Our additions, all stricter than the official schema: real calendar dates and
RFC 3339 timestamps, 0..100 for every percent (resistance increases only ≥ 0), integers where the TTL says
xsd:integer, and the optional `x-passbridge` member for what Annex XIII needs and 6.1.0 lacks.
"""

from __future__ import annotations

from passbridge.passport.battery_pass_extension import EXTENSION
from passbridge.passport.battery_pass_materials import MATERIALS
from passbridge.passport.battery_pass_performance import PERFORMANCE
from passbridge.passport.battery_pass_types import (
    BOOLEAN,
    BPNL,
    DATE,
    DOCUMENTS,
    FACILITIES,
    HEADER,
    IDENTIFIER,
    POSITIVE,
    TEXT,
    UNIT_NAME_PATTERN,
    UUID,
    enumeration,
    optional,
    text,
)
from passbridge.passport.spec import Arr, Leaf, LeafKind, Obj, Prop

EXTENSION_MEMBER = "x-passbridge"
"""Root member that carries passbridge data beyond the 6.1.0 aspect; stripped before export to Catena-X."""

SPEC_VERSION_6_1_0 = "urn:io.catenax.battery.battery_pass:6.1.0"
"""The `specVersion` value 6.1.0 documents for itself."""

ASPECT_URN = "urn:samm:io.catenax.battery.battery_pass:6.1.0#BatteryPass"
"""The SAMM aspect this module describes."""

# --- identification (Annex XIII 1(a), Art. 77(3)) ----------------------------------------------------------
_PART_TYPE_PROPS = (
    Prop("manufacturerPartId", text("PartIdCharacteristic")),
    Prop("nameAtManufacturer", text("PartNameCharacteristic")),
)


def _local_identifiers(key_pattern: str) -> Arr:
    key_value = Obj(
        (
            Prop("key", Leaf(LeafKind.STRING, pattern=key_pattern, characteristic="KeyTrait")),
            Prop("value", text("ValueCharacteristic")),
        ),
        characteristic="KeyValueList",
    )
    return Arr(key_value, characteristic="LocalIdentifierCharacteristic")


_IDENTIFICATION = Obj(
    (
        Prop(
            "category", enumeration("CategoryEnumeration", "SLI", "LMT", "EV", "industrial", "portable", "incorporated")
        ),
        Prop("idDmc", IDENTIFIER),
        Prop("chemistry", TEXT),
        Prop(
            "identification",
            Obj(
                (
                    optional(
                        "serial", _local_identifiers(r"^(manufacturerId|partInstanceId|batchId|van|customKey:\w+)$")
                    ),
                    optional("batch", _local_identifiers(r"^(manufacturerId|batchId|customKey:\w+)$")),
                    Prop("type", Obj(_PART_TYPE_PROPS, characteristic="PartTypeCharacteristic")),
                    Prop(
                        "codes",
                        Arr(
                            Obj((Prop("key", IDENTIFIER), Prop("value", IDENTIFIER)), characteristic="CodeEntity"),
                            characteristic="CodeList",
                        ),
                    ),
                    Prop(
                        "dataCarrier",
                        Obj(
                            (Prop("carrierType", TEXT), Prop("carrierLayout", TEXT)),
                            characteristic="DataCarrierCharacteristic",
                        ),
                    ),
                    Prop(
                        "classification",
                        Arr(
                            Obj(
                                (
                                    Prop("classificationStandard", text("ClassificationStandardCharacteristic")),
                                    Prop("classificationID", text("ClassificationIDCharacteristic")),
                                    optional("classificationDescription", TEXT),
                                ),
                                characteristic="ClassificationEntity",
                            ),
                            characteristic="ClassificationCharacteristic",
                        ),
                    ),
                ),
                characteristic="IdentificationCharacteristic",
            ),
        ),
    ),
    characteristic="IdentificationCharacteristic",
)

# --- operation (Annex VI Part A 3-4) -----------------------------------------------------------------------
_OPERATION = Obj(
    (
        optional("intoServiceDate", DATE),
        Prop(
            "manufacturer",
            Obj(
                (Prop("facility", FACILITIES), Prop("manufacturer", BPNL), optional("manufacturingDate", DATE)),
                characteristic="ManufacturerCharacteristic",
            ),
        ),
    ),
    characteristic="OperationCharacteristic",
)

# --- characteristics ---------------------------------------------------------------------------------------
_QUANTITY_VALUE = Leaf(LeafKind.NUMBER, characteristic="QuantityValueCharacteristic")
_LENGTH = Obj(
    (
        Prop("value", _QUANTITY_VALUE),
        Prop(
            "unit",
            enumeration(
                "LinearUnitEnumeration",
                "unit:millimetre",
                "unit:centimetre",
                "unit:metre",
                "unit:kilometre",
                "unit:inch",
                "unit:foot",
                "unit:yard",
                pattern=UNIT_NAME_PATTERN,
            ),
        ),
    ),
    characteristic="LinearCharacteristic",
)
_MASS = Obj(
    (
        Prop("value", _QUANTITY_VALUE),
        Prop(
            "unit",
            enumeration(
                "MassUnitEnumeration",
                "unit:gram",
                "unit:kilogram",
                "unit:tonneMetricTon",
                "unit:tonUsOrShortTonUkorus",
                "unit:ounceAvoirdupois",
                "unit:pound",
                pattern=UNIT_NAME_PATTERN,
            ),
        ),
    ),
    characteristic="MassCharacteristic",
)
_CHARACTERISTICS = Obj(
    (
        Prop(
            "warranty",
            Obj(
                (
                    Prop("lifeValue", Leaf(LeafKind.NUMBER, characteristic="LifeValueCharacteristic")),
                    Prop(
                        "lifeUnit",
                        enumeration(
                            "LifeEnumeration",
                            "unit:day",
                            "unit:month",
                            "unit:year",
                            "unit:cycle",
                            "unit:runningOrOperatingHour",
                        ),
                    ),
                ),
                characteristic="WarrantyCharacteristic",
            ),
        ),
        Prop(
            "physicalDimension",
            Obj(
                (
                    optional("height", _LENGTH),
                    optional("length", _LENGTH),
                    optional("width", _LENGTH),
                    Prop("weight", _MASS),
                ),
                characteristic="PhysicalDimensionCharacteristic",
            ),
        ),
    ),
    characteristic="CharacteristicsElement",
)

# --- sustainability (Annex XIII 1(c), 4(c)) ----------------------------------------------------------------
_FOOTPRINT_CATEGORIES = (
    "Climate Change Total", "Climate Change Fossil", "Climate Change Biogenic Removals and Emissions",
    "Climate Change Land Use and Land Use Change", "Ozone Depletion", "Acidification",
    "Eutrophication Aquatic Freshwater", "Eutrophication Fresh Marine", "Eutrophication Terrestrial",
    "Photochemical Ozone Formation", "Abiotic Depletion- Minerals and Metals", "Fossil Fuels", "Water Use",
    "Particulate Matter Emissions", "Ionizing Radiation, Human Health", "Eco-Toxicity",
    "Human Toxicity, Cancer Effects", "Human Toxicity, Non-Cancer Effects", "Land Use Related Impacts/Soil Quality",
)  # fmt: skip
_FOOTPRINT = Obj(
    (
        Prop("value", POSITIVE),
        Prop("rulebook", DOCUMENTS),
        Prop("lifecycle", TEXT),
        Prop("unit", TEXT),  # free text in 6.1.0 (e.g. "kg CO2 / kWh")
        Prop("type", enumeration("CategoryEnumeration", *_FOOTPRINT_CATEGORIES)),
        optional("performanceClass", TEXT),
        Prop("manufacturingPlant", FACILITIES),
        Prop("declaration", DOCUMENTS),
    ),
    characteristic="FootprintEntity",
)
_SUSTAINABILITY = Obj(
    (
        Prop(
            "documents",
            Obj(
                (
                    Prop("separateCollection", DOCUMENTS),
                    Prop("wastePrevention", DOCUMENTS),
                    optional("euTaxonomyDisclosureStatement", DOCUMENTS),
                    optional("sustainabilityReport", DOCUMENTS),
                ),
                characteristic="SustainabilityDocumentCharacteristic",
            ),
        ),
        Prop("carbonFootprint", Arr(_FOOTPRINT, characteristic="FootprintList")),
        Prop("status", enumeration("StateEnumeration", "original", "repurposed", "re-used", "remanufactured", "waste")),
    ),
    characteristic="SustainabilityCharacteristic",
)

# --- conformity, safety, sources ---------------------------------------------------------------------------
_CONFORMITY = Obj(
    (
        optional("declarationOfConformityId", IDENTIFIER),
        Prop("declarationOfConformity", DOCUMENTS),
        Prop("resultOfTestReport", DOCUMENTS),
        Prop("thirdPartyAssurance", DOCUMENTS),
        Prop("dueDiligencePolicy", DOCUMENTS),
    ),
    characteristic="ConformityCharacteristic",
)
_SAFETY = Obj(
    (
        Prop(
            "usableExtinguishAgent",
            Arr(
                Obj(
                    (optional("document", DOCUMENTS), Prop("media", TEXT), Prop("fireClass", TEXT)),
                    characteristic="ExtinguishAgentEntity",
                ),
                characteristic="ExtinguishAgentList",
            ),
        ),
        Prop("safetyMeasures", DOCUMENTS),
        Prop("meaningOfLabels", DOCUMENTS),
        optional("safeDischarging", DOCUMENTS),
        Prop("dismantling", DOCUMENTS),
        optional("removalFromAppliance", DOCUMENTS),
    ),
    characteristic="SafetyCharacteristic",
)
_SOURCE_CATEGORIES = (
    "Product Specifications", "Manufacturer Information", "User Manuals and Guides", "Certifications and Compliance",
    "Product Images and Videos", "Warranty Information", "Reviews and Ratings", "Product Variations",
    "Supply Chain Information", "Environmental Impact", "Compatibility and Accessories", "FAQs and Support",
    "Purchase and Retail Information", "Privacy and Data Handling", "Third-Party Integrations", "Legal Information",
    "Safety Information", "Repair and Installation", "Waste Generation and Prevention", "Specific Voluntary Labels",
    "Product Packaging", "Return and Disposal", "End of Life", "Material and Substance Information",
    "Technical Documentation", "Treatment facilities", "Other",
)  # fmt: skip
_SOURCES = Arr(
    Obj(
        (
            Prop("content", TEXT),
            Prop("category", enumeration("SourceCategoryEnumeration", *_SOURCE_CATEGORIES)),
            Prop("type", TEXT),
            Prop("header", HEADER),
        ),
        characteristic="DocumentEntity",
    ),
    characteristic="SourceList",
)

# --- metadata, commercial, handling (generic DPP 5.0.0) ----------------------------------------------------
_METADATA = Obj(
    (
        Prop("version", TEXT),
        optional("status", enumeration("StatusEnumeration", "draft", "approved", "invalid", "expired")),
        Prop("expirationDate", DATE),
        Prop("issueDate", DATE),
        Prop("economicOperatorId", BPNL),
        Prop("passportIdentifier", UUID),
        Prop("predecessor", UUID),  # required; 6.1.0 says "input a dummy value" when there is none
        Prop("backupReference", TEXT),
        optional("registrationIdentifier", IDENTIFIER),
        optional("lastModification", DATE),
    ),
    characteristic="MetadataCharacteristic",
)
_COMMERCIAL = Obj(
    (optional("placedOnMarket", DATE), Prop("purpose", Arr(Leaf(LeafKind.STRING), characteristic="StringList"))),
    characteristic="CommercialCharacteristic",
)
_HANDLING = Obj(
    (
        Prop(
            "content",
            Obj(
                (
                    Prop(
                        "producer",
                        Arr(Obj((Prop("id", BPNL),), characteristic="SourcesEntity"), characteristic="SourcesList"),
                    ),
                    Prop(
                        "sparePart", Arr(Obj(_PART_TYPE_PROPS, characteristic="PartsEntity"), characteristic="PartList")
                    ),
                ),
                characteristic="SparePart",
            ),
        ),
        Prop("applicable", BOOLEAN),
    ),
    characteristic="HandlingCharacteristic",
)

BATTERY_PASS = Obj(
    (
        optional("specVersion", TEXT),
        Prop("identification", _IDENTIFICATION),
        Prop("operation", _OPERATION),
        Prop("characteristics", _CHARACTERISTICS),
        Prop("sustainability", _SUSTAINABILITY),
        Prop("materials", MATERIALS),
        Prop("performance", PERFORMANCE),
        Prop("conformity", _CONFORMITY),
        Prop("safety", _SAFETY),
        optional("sources", _SOURCES),
        Prop("metadata", _METADATA),
        Prop("commercial", _COMMERCIAL),
        Prop("handling", _HANDLING),
        optional(EXTENSION_MEMBER, EXTENSION),
    ),
    characteristic="BatteryPass",
)
"""The complete BatteryPass 6.1.0 tree (`urn:samm:io.catenax.battery.battery_pass:6.1.0#BatteryPass`) with the
optional `x-passbridge` member appended at the root."""

__all__ = ["ASPECT_URN", "BATTERY_PASS", "EXTENSION", "EXTENSION_MEMBER", "SPEC_VERSION_6_1_0"]
