"""The documents of a BatteryPass 6.1.0 content, as the joint HandoverDocumentation aspect and its references.

Layout: `DOCUMENT_LISTS` says where 6.1.0 keeps document lists and which VDI 2770 class each list belongs to;
`DocumentCatalogue` collects them once, and the other aspects point at them with `DocumentCatalogue.ids`.

Identity: a 6.1.0 document is ``{contentType, header, content}``; the ``content`` (the link) is the only field that
identifies the document, so it is the ``DocumentIdentifier``. The same link listed twice (e.g. as declaration of
conformity and as test report) is one handover document with two classifications. Its ``DocumentDomainId`` is the
providing organisation, ``metadata.economicOperatorId``. ``conformity.declarationOfConformityId`` becomes a second,
primary ``DocumentId`` of the declaration-of-conformity documents.

Left out: ``DocumentVersions[].Language`` (required, minItems 1): 6.1.0 does not say which language a linked
document is written in, so an export with documents is not schema-valid until that is known.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from passbridge.ecosystems.idta.joint_aspects_content import Node, Payload, lang_texts, prune, unique_strings

CLASSIFICATION_SYSTEM = "VDI2770 Blatt 1:2020"

VDI2770_CLASSES: dict[str, tuple[str, str]] = {
    "01-01": ("Identification", "Identifikation"),
    "02-01": ("Technical specification", "Technische Spezifikation"),
    "02-04": ("Certificates, declarations", "Zeugnisse, Zertifikate, Bescheinigungen"),
    "03-01": ("Commissioning, de-commissioning", "Montage, Demontage"),
    "03-02": ("Operation", "Bedienung"),
    "03-03": ("General safety", "Allgemeine Sicherheit"),
    "03-04": ("Inspection, maintenance, testing", "Inspektion, Wartung, Prüfung"),
    "03-05": ("Repair", "Instandsetzung"),
    "04-01": ("Contract documents", "Vertragsunterlagen"),
}
"""VDI 2770 Blatt 1:2020 document classes used here: ClassId → (English, German) ClassName."""

DOCUMENT_LISTS: tuple[tuple[str, str], ...] = (
    ("conformity.declarationOfConformity", "02-04"),
    ("conformity.resultOfTestReport", "02-04"),
    ("conformity.thirdPartyAssurance", "02-04"),
    ("conformity.dueDiligencePolicy", "02-04"),
    ("sustainability.carbonFootprint.declaration", "02-04"),
    ("sustainability.carbonFootprint.rulebook", "02-01"),
    ("sustainability.documents.separateCollection", "03-01"),
    ("sustainability.documents.wastePrevention", "03-02"),
    ("sustainability.documents.euTaxonomyDisclosureStatement", "02-04"),
    ("sustainability.documents.sustainabilityReport", "02-04"),
    ("performance.rated.performanceDocument", "02-01"),
    ("performance.rated.testReport", "03-04"),
    ("performance.rated.lifetime.report", "03-04"),
    ("performance.dynamic.performanceDocument", "03-04"),
    ("performance.dynamic.negativeEvents", "03-04"),
    ("performance.dynamic.operatingEnvironment", "03-04"),
    ("safety.safetyMeasures", "03-03"),
    ("safety.safeDischarging", "03-03"),
    ("safety.usableExtinguishAgent.document", "03-03"),
    ("safety.meaningOfLabels", "01-01"),
    ("safety.dismantling", "03-01"),
    ("safety.removalFromAppliance", "03-01"),
    ("materials.composition.documentation", "02-01"),
    ("materials.active.nickel.documentation", "02-01"),
    ("materials.active.lithium.documentation", "02-01"),
    ("materials.active.cobalt.documentation", "02-01"),
    ("materials.active.lead.documentation", "02-01"),
    ("materials.active.lead.impactOfSubstances", "03-03"),
    ("materials.active.other.documentation", "02-01"),
    ("materials.hazardous.cadmium.documentation", "02-01"),
    ("materials.hazardous.cadmium.impactOfSubstances", "03-03"),
    ("materials.hazardous.mercury.documentation", "02-01"),
    ("materials.hazardous.mercury.impactOfSubstances", "03-03"),
    ("materials.hazardous.lead.documentation", "02-01"),
    ("materials.hazardous.lead.impactOfSubstances", "03-03"),
    ("materials.hazardous.other.documentation", "02-01"),
    ("materials.hazardous.other.impactOfSubstances", "03-03"),
)
"""6.1.0 document lists (dotted, arrays transparent) and the VDI 2770 class of the documents in them."""

SOURCE_CATEGORY_CLASSES: dict[str, str] = {
    "Product Specifications": "02-01",
    "Technical Documentation": "02-01",
    "Material and Substance Information": "02-01",
    "Product Variations": "02-01",
    "Compatibility and Accessories": "02-01",
    "Manufacturer Information": "01-01",
    "Product Images and Videos": "01-01",
    "Certifications and Compliance": "02-04",
    "Specific Voluntary Labels": "02-04",
    "User Manuals and Guides": "03-02",
    "FAQs and Support": "03-02",
    "Waste Generation and Prevention": "03-02",
    "Safety Information": "03-03",
    "Return and Disposal": "03-01",
    "End of Life": "03-01",
    "Treatment facilities": "03-01",
    "Repair and Installation": "03-05",
    "Warranty Information": "04-01",
    "Legal Information": "04-01",
    "Purchase and Retail Information": "04-01",
}
"""6.1.0 ``sources[].category`` → VDI 2770 class. Categories without a VDI 2770 counterpart (reviews, supply chain,
environmental impact, privacy, third-party integrations, packaging, other) get no classification."""

_MIME_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "html": "text/html",
    "htm": "text/html",
    "json": "application/json",
    "xml": "application/xml",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
}


def mime_type(content_type: str | None) -> str | None:
    """The MIME type behind a 6.1.0 ``contentType``; None for kinds that name no format (e.g. ``URL``)."""
    if content_type is None:
        return None
    if "/" in content_type:
        return content_type
    return _MIME_TYPES.get(content_type.strip().lower())


@dataclass(slots=True)
class _Document:
    link: str
    headers: list[str] = field(default_factory=list)
    classes: list[str] = field(default_factory=list)
    mime: str | None = None
    primary_id: str | None = None


class DocumentCatalogue:
    """Every document a content references, in first-seen order, keyed by its link."""

    def __init__(self, content: Node, annex: Node) -> None:
        """Collect the documents of `content` plus the Annex XIII instructions for use in `annex`."""
        self._domain = content.at("metadata.economicOperatorId").text()
        self._documents: dict[str, _Document] = {}
        conformity_id = content.at("conformity.declarationOfConformityId").text()
        for path, class_id in DOCUMENT_LISTS:
            primary = conformity_id if path == "conformity.declarationOfConformity" else None
            for documents in content.find(path):
                for document in documents.items():
                    self._add(document, document["contentType"].text(), class_id, primary)
        for source in content["sources"].items():
            self._add(source, source["type"].text(), SOURCE_CATEGORY_CLASSES.get(source["category"].text() or ""))
        for document in annex["instructionsForUse"].items():
            self._add(document, document["contentType"].text(), "03-02")

    def _add(self, document: Node, content_type: str | None, class_id: str | None, primary: str | None = None) -> None:
        link = document["content"].text()
        if not link:
            return  # a document without its link cannot be identified or referenced
        entry = self._documents.setdefault(link, _Document(link))
        entry.headers = unique_strings([*entry.headers, document["header"].text()])
        entry.classes = unique_strings([*entry.classes, class_id])
        entry.mime = entry.mime or mime_type(content_type)
        entry.primary_id = entry.primary_id or primary

    def ids(self, *lists: Node) -> list[str] | None:
        """``DocumentIdentifier``s for 6.1.0 document lists; None if none of the lists is present."""
        if not any(documents.present for documents in lists):
            return None
        links = [document["content"].text() for documents in lists for document in documents.items()]
        return unique_strings(links)

    def handover(self) -> Payload:
        """The ``HandoverDocumentation`` aspect payload."""
        if not self._documents:
            return {}
        return {"Documents": [self._document(entry) for entry in self._documents.values()]}

    def _document(self, entry: _Document) -> Payload:
        second_id = entry.primary_id if entry.primary_id not in (None, entry.link) else None
        ids = [self._id(entry.link, primary=None if second_id is None else False)]
        if second_id is not None:
            ids.insert(0, self._id(second_id, primary=True))
        version = {
            "Title": lang_texts(entry.headers),
            "DigitalFiles": [prune({"value": entry.link, "contentType": entry.mime})],
        }
        return prune(
            {
                "DocumentIds": ids,
                "DocumentClassifications": [_classification(class_id) for class_id in entry.classes] or None,
                "DocumentVersions": [prune(version)],
            }
        )

    def _id(self, identifier: str, *, primary: bool | None) -> Payload:
        return prune({"DocumentDomainId": self._domain, "DocumentIdentifier": identifier, "DocumentIsPrimary": primary})


def _classification(class_id: str) -> Payload:
    english, german = VDI2770_CLASSES[class_id]
    return {
        "ClassId": class_id,
        "ClassName": [{"en": english}, {"de": german}],
        "ClassificationSystem": CLASSIFICATION_SYSTEM,
    }


__all__ = [
    "CLASSIFICATION_SYSTEM",
    "DOCUMENT_LISTS",
    "SOURCE_CATEGORY_CLASSES",
    "VDI2770_CLASSES",
    "DocumentCatalogue",
    "mime_type",
]
