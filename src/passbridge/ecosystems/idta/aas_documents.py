"""The passport's documents as IDTA 02035-2 HandoverDocumentation, and the identifier lists that point at them.

Layout: `DOCUMENT_LISTS` (where documents live in BatteryPass 6.1.0) · `Document` + `collect_documents` ·
`handover_elements` (the ``Documents`` list) · `identifier_list` (the ``DocumentIdentifier`` lists of parts 1, 3, 5
and 7).

Why one document register: the battery templates do not hold documents themselves. Nameplate, CarbonFootprint,
ProductCondition and Circularity carry lists of ``DocumentIdentifier`` strings "of a document which can be found in
the HandoverDocumentation submodel". So every 6.1.0 document (``{contentType, header, content}``) becomes one
``Document`` there, and the other parts cite it by the same identifier.

The identifier of a document is its concrete 6.1.0 path (``conformity.declarationOfConformity[0]``), unique within
one passport; ``DocumentDomainId`` names that passport. Its classification is the 6.1.0 attribute it came from
(classification system ``urn:io.catenax.battery.battery_pass:6.1.0``, class id = the path with arrays transparent),
which is what the passport actually says about it; no VDI 2770 class is guessed. ``header`` becomes the English
``Title`` and ``content`` the ``DigitalFiles`` entry. Not mapped: the document language (``Language`` is left out,
6.1.0 does not state it), a ``contentType`` that is no MIME type (the File then says application/octet-stream) and
a ``content`` that is no URI reference (V3.0 File values must be one; the Document keeps its Title).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from aas_core3 import types as aas

from passbridge.ecosystems.idta.aas_elements import file_element, mlp, objects_at, prop, smc, sml, text_at
from passbridge.jsontypes import JsonObject

__all__ = [
    "BATTERY_PASS_6_1_0",
    "DOCUMENT_LISTS",
    "INSTRUCTIONS_FOR_USE",
    "Document",
    "collect_documents",
    "handover_elements",
    "identifier_list",
    "identifiers_in",
]

BATTERY_PASS_6_1_0 = "urn:io.catenax.battery.battery_pass:6.1.0"
"""Classification system of documents classified by their 6.1.0 attribute (the aspect's ``specVersion``)."""

INSTRUCTIONS_FOR_USE = "x-passbridge.annexXIII.instructionsForUse"
"""Our extension's list of Annex XIII instructions for use; same document shape as 6.1.0."""

_EXTENSION_SYSTEM = "passbridge:x-passbridge"

DOCUMENT_LISTS: tuple[str, ...] = (
    "sources",
    "sustainability.documents.separateCollection",
    "sustainability.documents.sustainabilityReport",
    "sustainability.documents.euTaxonomyDisclosureStatement",
    "sustainability.documents.wastePrevention",
    "sustainability.carbonFootprint[].rulebook",
    "sustainability.carbonFootprint[].declaration",
    "performance.rated.performanceDocument",
    "performance.rated.testReport",
    "performance.rated.lifetime.report",
    "performance.dynamic.operatingEnvironment",
    "performance.dynamic.performanceDocument",
    "performance.dynamic.negativeEvents",
    "materials.hazardous.cadmium.impactOfSubstances",
    "materials.hazardous.cadmium.documentation",
    "materials.hazardous.other[].impactOfSubstances",
    "materials.hazardous.other[].documentation",
    "materials.hazardous.mercury.impactOfSubstances",
    "materials.hazardous.mercury.documentation",
    "materials.hazardous.lead.impactOfSubstances",
    "materials.hazardous.lead.documentation",
    "materials.active.nickel.documentation",
    "materials.active.lithium.documentation",
    "materials.active.cobalt.documentation",
    "materials.active.other[].documentation",
    "materials.active.lead.impactOfSubstances",
    "materials.active.lead.documentation",
    "materials.composition[].documentation",
    "safety.usableExtinguishAgent[].document",
    "safety.safeDischarging",
    "safety.meaningOfLabels",
    "safety.dismantling",
    "safety.removalFromAppliance",
    "safety.safetyMeasures",
    "conformity.thirdPartyAssurance",
    "conformity.resultOfTestReport",
    "conformity.declarationOfConformity",
    "conformity.dueDiligencePolicy",
)
"""Every BatteryPass 6.1.0 DocumentList (and ``sources``), in the order of the 6.1.0 example."""

# IDTA 02035-2 (profile of IDTA 02004 HandoverDocumentation 1.x, ECLASS IRDIs)
_DOCUMENTS = "0173-1#02-ABI500#003"
_DOCUMENT = "0173-1#02-ABI500#003/0173-1#01-AHF579#003"
_DOCUMENT_IDS = "0173-1#02-ABI501#003"
_DOCUMENT_ID = "0173-1#02-ABI501#003/0173-1#01-AHF580#003"
_DOCUMENT_DOMAIN_ID = "0173-1#02-ABH994#003"
_DOCUMENT_IDENTIFIER = "0173-1#02-AAO099#004"
_DOCUMENT_IS_PRIMARY = "0173-1#02-ABH995#003"
_CLASSIFICATIONS = "0173-1#02-ABI502#003"
_CLASSIFICATION = "0173-1#02-ABI502#003/0173-1#01-AHF581#003"
_CLASS_NAME = "0173-1#02-ABJ219#002"
_CLASS_ID = "0173-1#02-ABH996#003"
_CLASSIFICATION_SYSTEM = "0173-1#02-ABH997#003"
_VERSIONS = "0173-1#02-ABI503#003"
_VERSION = "0173-1#02-ABI503#003/0173-1#01-AHF582#003"
_TITLE = "0173-1#02-ABG940#003"
_DIGITAL_FILES = "0173-1#02-ABK126#002"

_CITED_IDENTIFIER = "urn:samm:io.admin-shell.idta.handover_documentation:2.0.0#DocumentIdentifier"
"""semanticId of the DocumentIdentifier items in the lists of parts 1, 3, 5 and 7."""


@dataclass(frozen=True, slots=True)
class Document:
    """One document of the passport.

    Attributes:
        list_path: concrete path of the list holding it, e.g. ``sustainability.carbonFootprint[0].declaration``.
        identifier: concrete path of the document itself; its DocumentIdentifier.
        class_system: classification system of `class_id`.
        class_id: the attribute it came from, arrays transparent, e.g. ``sustainability.carbonFootprint.declaration``.
        header: the short description (6.1.0 ``header``).
        content: the link or content (6.1.0 ``content``).
        content_type: 6.1.0 ``contentType`` (``type`` for ``sources``).
        category: ``sources[].category``, the only 6.1.0 document with a category of its own.
    """

    list_path: str
    identifier: str
    class_system: str
    class_id: str
    header: str | None
    content: str | None
    content_type: str | None
    category: str | None = None


def collect_documents(content: JsonObject) -> tuple[Document, ...]:
    """Every document in `content` that has a header or a content, 6.1.0 lists first, then our extension's."""
    found: list[Document] = []
    lists = [(path, BATTERY_PASS_6_1_0, path) for path in DOCUMENT_LISTS]
    lists.append((INSTRUCTIONS_FOR_USE, _EXTENSION_SYSTEM, INSTRUCTIONS_FOR_USE.removeprefix("x-passbridge.")))
    for path, system, class_id in lists:
        is_source = path == "sources"
        for where, entry in objects_at(content, path + "[]"):
            header, body = text_at(entry, "header"), text_at(entry, "content")
            if header is None and body is None:
                continue
            found.append(
                Document(
                    list_path=where.rpartition("[")[0],
                    identifier=where,
                    class_system=system,
                    class_id=class_id.replace("[]", ""),
                    header=header,
                    content=body,
                    content_type=text_at(entry, "type" if is_source else "contentType"),
                    category=text_at(entry, "category") if is_source else None,
                )
            )
    return tuple(found)


def identifiers_in(documents: Iterable[Document], *list_paths: str) -> list[str]:
    """The identifiers of the documents held by any of the concrete `list_paths`, in register order."""
    wanted = frozenset(list_paths)
    return [document.identifier for document in documents if document.list_path in wanted]


def _classification(system: str, class_id: str, class_name: str) -> aas.SubmodelElement | None:
    return smc(
        None,
        _CLASSIFICATION,
        [
            mlp("ClassName", _CLASS_NAME, class_name),
            prop("ClassId", _CLASS_ID, aas.DataTypeDefXSD.STRING, class_id),
            prop("ClassificationSystem", _CLASSIFICATION_SYSTEM, aas.DataTypeDefXSD.STRING, system),
        ],
    )


def _document(document: Document, domain_id: str) -> aas.SubmodelElement | None:
    string = aas.DataTypeDefXSD.STRING
    document_id = smc(
        None,
        _DOCUMENT_ID,
        [
            prop("DocumentDomainId", _DOCUMENT_DOMAIN_ID, string, domain_id),
            prop("DocumentIdentifier", _DOCUMENT_IDENTIFIER, string, document.identifier),
            prop("DocumentIsPrimary", _DOCUMENT_IS_PRIMARY, aas.DataTypeDefXSD.BOOLEAN, True),
        ],
    )
    classifications = [
        _classification(document.class_system, document.class_id, document.class_id.rpartition(".")[2]),
    ]
    if document.category is not None:
        categories = f"{BATTERY_PASS_6_1_0}#SourceCategoryEnumeration"
        classifications.append(_classification(categories, document.category, document.category))
    version = smc(
        None,
        _VERSION,
        [
            mlp("Title", _TITLE, document.header),
            sml(
                "DigitalFiles",
                _DIGITAL_FILES,
                [file_element(None, _DIGITAL_FILES, document.content, document.content_type)],
                type_value_list_element=aas.AASSubmodelElements.FILE,
            ),
        ],
    )
    collection = aas.AASSubmodelElements.SUBMODEL_ELEMENT_COLLECTION
    return smc(
        None,
        _DOCUMENT,
        [
            sml(
                "DocumentIds",
                _DOCUMENT_IDS,
                [document_id],
                type_value_list_element=collection,
                semantic_id_list_element=_DOCUMENT_ID,
            ),
            sml(
                "DocumentClassifications",
                _CLASSIFICATIONS,
                classifications,
                type_value_list_element=collection,
                semantic_id_list_element=_CLASSIFICATION,
            ),
            sml(
                "DocumentVersions",
                _VERSIONS,
                [version],
                type_value_list_element=collection,
                semantic_id_list_element=_VERSION,
            ),
        ],
    )


def handover_elements(documents: Iterable[Document], *, domain_id: str) -> list[aas.SubmodelElement]:
    """The top-level elements of HandoverDocumentation: the ``Documents`` list, or nothing without documents."""
    documents_list = sml(
        "Documents",
        _DOCUMENTS,
        [_document(document, domain_id) for document in documents],
        type_value_list_element=aas.AASSubmodelElements.SUBMODEL_ELEMENT_COLLECTION,
        semantic_id_list_element=_DOCUMENT,
    )
    return [documents_list] if documents_list is not None else []


def identifier_list(id_short: str, semantic_id: str, identifiers: Iterable[str]) -> aas.SubmodelElementList | None:
    """A list of DocumentIdentifier Properties (items without idShort, AASd-120), or None when empty."""
    string = aas.DataTypeDefXSD.STRING
    return sml(
        id_short,
        semantic_id,
        [prop(None, _CITED_IDENTIFIER, string, identifier) for identifier in identifiers],
        type_value_list_element=aas.AASSubmodelElements.PROPERTY,
        value_type_list_element=string,
    )
