"""Small builders for AAS V3.0 submodel elements, and safe reads of the passport content tree.

Layout: content reads (`values_at`, `objects_at`, `member`, `text_at`, `number_at`, `flag_at`) · lexical forms of
XSD values (`lexical`) · element builders (`external_ref`, `prop`, `mlp`, `smc`, `sml`, `file_element`).

Why every builder may return None: the passport content can be a filtered view in which any member is missing at
any depth. A builder returns None when its value is absent or would break a V3.0 constraint (a value outside its
XSD value space, a File value that is no URI reference), and the collection builders drop None children and return
None when nothing is left, because V3.0 forbids empty `value` lists. So an absent member removes exactly the elements
it would have fed, and nothing is ever invented to fill the gap.

Paths are dotted member names; a segment ending in ``[]`` walks every item of an array, and the concrete paths that
`values_at` reports carry the item index (``conformity.declarationOfConformity[0]``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from aas_core3 import types as aas, verification

from passbridge.jsontypes import JsonObject, JsonValue

__all__ = [
    "OCTET_STREAM",
    "external_ref",
    "file_element",
    "flag_at",
    "lexical",
    "member",
    "mlp",
    "number_at",
    "objects_at",
    "prop",
    "smc",
    "sml",
    "text_at",
    "values_at",
]

OCTET_STREAM = "application/octet-stream"
"""RFC 2046 type for content of unknown type; V3.0 makes `File.contentType` mandatory."""

_INTEGER_TYPES = frozenset(
    {
        aas.DataTypeDefXSD.INTEGER,
        aas.DataTypeDefXSD.INT,
        aas.DataTypeDefXSD.LONG,
        aas.DataTypeDefXSD.UNSIGNED_INT,
        aas.DataTypeDefXSD.UNSIGNED_LONG,
        aas.DataTypeDefXSD.NON_NEGATIVE_INTEGER,
    }
)
_NUMBER_TYPES = _INTEGER_TYPES | {aas.DataTypeDefXSD.FLOAT, aas.DataTypeDefXSD.DOUBLE, aas.DataTypeDefXSD.DECIMAL}
_LANG_STRING_TEXT_MAX = 1023  # V3.0 LangStringTextType: at most 1023 characters


def _is_array(value: JsonValue) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str)


def values_at(root: JsonValue, path: str) -> list[tuple[str, JsonValue]]:
    """Every value found at `path` below `root`, with its concrete path; missing or mistyped steps yield nothing."""
    found: list[tuple[str, JsonValue]] = [("", root)]
    for segment in path.split("."):
        many = segment.endswith("[]")
        name = segment[:-2] if many else segment
        step: list[tuple[str, JsonValue]] = []
        for where, node in found:
            if not isinstance(node, Mapping):
                continue
            child = node.get(name)
            here = f"{where}.{name}" if where else name
            if child is None:
                continue
            if not many:
                step.append((here, child))
            elif isinstance(child, Sequence) and not isinstance(child, str):
                step.extend((f"{here}[{index}]", item) for index, item in enumerate(child) if item is not None)
        found = step
    return found


def objects_at(root: JsonValue, path: str) -> list[tuple[str, JsonObject]]:
    """The objects among `values_at(root, path)`."""
    return [(where, value) for where, value in values_at(root, path) if isinstance(value, Mapping)]


def member(root: JsonValue, path: str) -> JsonValue:
    """The single value at `path` (no ``[]`` segments), or None when any step is missing."""
    found = values_at(root, path)
    return found[0][1] if found else None


def text_at(root: JsonValue, path: str) -> str | None:
    """The non-empty string at `path`, or None."""
    value = member(root, path)
    return value if isinstance(value, str) and value else None


def number_at(root: JsonValue, path: str) -> Decimal | None:
    """The finite number at `path` as a Decimal (an int is widened exactly), or None; booleans are not numbers."""
    value = member(root, path)
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        return None
    number = Decimal(value)
    return number if number.is_finite() else None


def flag_at(root: JsonValue, path: str) -> bool | None:
    """The boolean at `path`, or None."""
    value = member(root, path)
    return value if isinstance(value, bool) else None


def lexical(value: str | Decimal | bool | None, value_type: aas.DataTypeDefXSD) -> str | None:
    """The lexical form of `value` in `value_type`, or None if it has none.

    Numbers keep the exact digits of their Decimal (``format(value, "f")``: no float on the way, no exponent, so
    ``12.678`` stays ``12.678``); integer types take only integral values (``96.0`` → ``96``). Strings are never
    coerced into numbers. The result is checked against the XSD value space (``value_consistent_with_xsd_type``),
    so ``7172-75-08`` is no xs:date and yields None.
    """
    text: str | None = None
    if isinstance(value, bool):
        text = ("true" if value else "false") if value_type is aas.DataTypeDefXSD.BOOLEAN else None
    elif isinstance(value, Decimal):
        if not value.is_finite() or value_type not in _NUMBER_TYPES:
            text = None
        elif value_type in _INTEGER_TYPES:
            text = str(int(value)) if value == value.to_integral_value() else None
        else:
            text = format(value, "f")
    elif isinstance(value, str) and value_type not in _NUMBER_TYPES and value_type is not aas.DataTypeDefXSD.BOOLEAN:
        text = value
    if text is None or not verification.value_consistent_with_xsd_type(text, value_type):
        return None
    return text


def external_ref(value: str) -> aas.Reference:
    """An ExternalReference with one GlobalReference key, the form the IDTA templates use for semanticIds."""
    return aas.Reference(
        type=aas.ReferenceTypes.EXTERNAL_REFERENCE,
        keys=[aas.Key(type=aas.KeyTypes.GLOBAL_REFERENCE, value=value)],
    )


def prop(
    id_short: str | None,
    semantic_id: str,
    value_type: aas.DataTypeDefXSD,
    value: str | Decimal | bool | None,
    *,
    value_id: str | None = None,
) -> aas.Property | None:
    """A Property, or None when `value` has no lexical form in `value_type`.

    `id_short` is None for the items of a SubmodelElementList (AASd-120).
    """
    text = lexical(value, value_type)
    if text is None:
        return None
    return aas.Property(
        value_type=value_type,
        id_short=id_short,
        semantic_id=external_ref(semantic_id),
        value=text,
        value_id=external_ref(value_id) if value_id is not None else None,
    )


def mlp(id_short: str | None, semantic_id: str, text: str | None) -> aas.MultiLanguageProperty | None:
    """A MultiLanguageProperty holding `text` in English, or None when `text` is empty or too long for V3.0."""
    if not text or len(text) > _LANG_STRING_TEXT_MAX or not verification.matches_xml_serializable_string(text):
        return None
    return aas.MultiLanguageProperty(
        id_short=id_short,
        semantic_id=external_ref(semantic_id),
        value=[aas.LangStringTextType(language="en", text=text)],
    )


def _present(children: Iterable[aas.SubmodelElement | None]) -> list[aas.SubmodelElement]:
    return [child for child in children if child is not None]


def smc(
    id_short: str | None, semantic_id: str, children: Iterable[aas.SubmodelElement | None]
) -> aas.SubmodelElementCollection | None:
    """A SubmodelElementCollection of the present `children`, or None when there are none."""
    value = _present(children)
    if not value:
        return None
    return aas.SubmodelElementCollection(id_short=id_short, semantic_id=external_ref(semantic_id), value=value)


def sml(
    id_short: str | None,
    semantic_id: str,
    items: Iterable[aas.SubmodelElement | None],
    *,
    type_value_list_element: aas.AASSubmodelElements,
    value_type_list_element: aas.DataTypeDefXSD | None = None,
    semantic_id_list_element: str | None = None,
) -> aas.SubmodelElementList | None:
    """A SubmodelElementList of the present `items`, or None when there are none.

    The items must carry no idShort (AASd-120) and share one model type (AASd-108), one value type (AASd-109)
    and one semanticId (AASd-107, AASd-114); the callers build them that way.
    """
    value = _present(items)
    if not value:
        return None
    return aas.SubmodelElementList(
        type_value_list_element=type_value_list_element,
        id_short=id_short,
        semantic_id=external_ref(semantic_id),
        semantic_id_list_element=(
            external_ref(semantic_id_list_element) if semantic_id_list_element is not None else None
        ),
        value_type_list_element=value_type_list_element,
        value=value,
    )


def file_element(
    id_short: str | None, semantic_id: str, value: str | None, content_type: str | None
) -> aas.File | None:
    """A File pointing at `value`, or None when `value` is no RFC 2396 URI reference (V3.0 PathType).

    `content_type` is kept when it is a MIME type; otherwise (Catena-X writes ``URL`` or ``pdf`` there) the File
    says ``application/octet-stream``, the RFC 2046 type for "unknown", because V3.0 requires one.
    """
    if not value or len(value) > 2000 or not verification.matches_rfc_2396(value):
        return None
    known = content_type is not None and len(content_type) <= 100 and verification.matches_mime_type(content_type)
    mime = content_type if known and content_type is not None else OCTET_STREAM
    return aas.File(content_type=mime, id_short=id_short, semantic_id=external_ref(semantic_id), value=value)
