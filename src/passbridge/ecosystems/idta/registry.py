"""The digital twin registry of a node (AAS Part 2 V3.0 registry and discovery, Catena-X CX-0002) and the content
modifiers of its submodel repository, as pure functions over passport listings and rendered AAS JSON.

Layout: ids (`shell_id`, `submodel_id`, `parse_submodel_id`, `parse_shell_id`, `dataset_id`) · `SUBMODEL_PARTS` ·
descriptors (`specific_asset_ids`, `shell_descriptor`, `submodel_descriptor`, `battery_pass_submodel`) · discovery
(`LookupQuery`, `lookup_query`) · base64url and paging (`decode_id`, `encode_id`, `decode_asset_id`, `Position`,
`encode_cursor`, `decode_cursor`) · the content modifiers of the repository live in `aas_content`.

One twin per passport. Its ids are the ones the ``aas`` export renders (`aas_submodels`): ``{base}/shells/{passport}``
and ``{base}/submodels/{passport}/{idShort}``, so they stay the same across versions and the registry, the
repository and the export name the same objects. Besides the 7 IDTA 02035 submodels, each twin has the Catena-X
BatteryPass 6.1.0 aspect (idShort ``BatteryPass``) as a submodel whose content is served value-only, as CX-0002
consumers read it (``<href>/$value``). Its submodel descriptors point at this node's repository and name the DSP
dataset of the passport (`dataset_id`) in ``subprotocolBody``, so a consumer negotiates before it reads.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from passbridge.ecosystems.idta.aas_submodels import SUBMODEL_SEMANTIC_IDS
from passbridge.errors import InvalidInput
from passbridge.jsontypes import JsonObject
from passbridge.passport.model import PassportId
from passbridge.passport.ports import PassportListing

DEFAULT_BASE_ID = "urn:passbridge"
"""Prefix of shell and submodel ids; the default of `renderers.AasRenderer` (a unit test keeps them equal)."""
BATTERY_PASS = "BatteryPass"
BATTERY_PASS_SEMANTIC_ID = "urn:samm:io.catenax.battery.battery_pass:6.1.0#BatteryPass"
SUBMODEL_PARTS: tuple[tuple[str, str], ...] = (*SUBMODEL_SEMANTIC_IDS.items(), (BATTERY_PASS, BATTERY_PASS_SEMANTIC_ID))
"""(idShort, semanticId) of every submodel of a twin: IDTA 02035-1…7 in part order, then the Catena-X aspect."""
BATTERY_PASS_PART = len(SUBMODEL_PARTS) - 1
SHELL_ID_SHORT = "BatteryPassport"
DIGITAL_TWIN_TYPE = "PartInstance"
RULE = "AAS Part 2 V3.0"
_DSP_PATH = "/dsp/2025-1"
_NO_SECURITY: JsonObject = {"type": "NONE", "key": "NONE", "value": "NONE"}


def _prefixes(base_id: str) -> tuple[str, str]:
    base = base_id.rstrip("/")
    return f"{base}/shells/", f"{base}/submodels/"


def shell_id(passport_id: PassportId, base_id: str = DEFAULT_BASE_ID) -> str:
    """The AAS id of a passport's twin (the shell id of its ``aas`` export)."""
    return _prefixes(base_id)[0] + quote(passport_id.value, safe="")


def submodel_id(passport_id: PassportId, id_short: str, base_id: str = DEFAULT_BASE_ID) -> str:
    """The id of one submodel of a passport's twin (as in its ``aas`` export)."""
    return f"{_prefixes(base_id)[1]}{quote(passport_id.value, safe='')}/{id_short}"


def _passport(text: str) -> PassportId | None:
    try:
        passport_id = PassportId.parse(text)
    except InvalidInput:
        return None
    return passport_id if passport_id.value == text else None  # only the canonical form names a twin


def parse_shell_id(text: str, base_id: str = DEFAULT_BASE_ID) -> PassportId | None:
    """The passport whose twin `text` names, or None for an id that is not one of ours."""
    prefix = _prefixes(base_id)[0]
    return _passport(text[len(prefix) :]) if text.startswith(prefix) else None


def parse_submodel_id(text: str, base_id: str = DEFAULT_BASE_ID) -> tuple[PassportId, int] | None:
    """(passport, index in `SUBMODEL_PARTS`) of a submodel id, or None for an id that is not one of ours."""
    prefix = _prefixes(base_id)[1]
    passport, _, id_short = text[len(prefix) :].partition("/") if text.startswith(prefix) else ("", "", "")
    passport_id = _passport(passport)
    parts = [name for name, _ in SUBMODEL_PARTS]
    return (passport_id, parts.index(id_short)) if passport_id is not None and id_short in parts else None


def dataset_id(passport_id: PassportId) -> str:
    """The DSP dataset (asset) id under which this node offers a passport: its ``urn:uuid:`` form."""
    return passport_id.urn


def specific_asset_ids(entry: PassportListing) -> list[JsonObject]:
    """The Catena-X specificAssetIds of a twin: ``manufacturerPartId``, ``partInstanceId`` (the serial, when the
    passport has one) and ``digitalTwinType`` = ``PartInstance`` (one battery)."""
    named = (
        ("manufacturerPartId", entry.manufacturer_part_id),
        ("partInstanceId", entry.part_instance_id),
        ("digitalTwinType", DIGITAL_TWIN_TYPE),
    )
    return [{"name": name, "value": value} for name, value in named if value]


def _global_ref(value: str) -> JsonObject:
    return {"type": "ExternalReference", "keys": [{"type": "GlobalReference", "value": value}]}


def submodel_descriptor(
    passport_id: PassportId, part: int, *, public_url: str, base_id: str = DEFAULT_BASE_ID
) -> JsonObject:
    """The descriptor of submodel `part` (index in `SUBMODEL_PARTS`): one ``SUBMODEL-3.0`` endpoint in this node's
    repository behind the DSP dataset of the passport (CX-0002 §4.1.2)."""
    id_short, semantic_id = SUBMODEL_PARTS[part]
    sid = submodel_id(passport_id, id_short, base_id)
    protocol: JsonObject = {
        "href": f"{public_url}/aas/api/v3.0/submodels/{encode_id(sid)}",
        "endpointProtocol": "HTTP",
        "endpointProtocolVersion": ["1.1"],
        "subprotocol": "DSP",
        "subprotocolBody": f"id={dataset_id(passport_id)};dspEndpoint={public_url}{_DSP_PATH}",
        "subprotocolBodyEncoding": "plain",
        "securityAttributes": [_NO_SECURITY],
    }
    return {
        "id": sid,
        "idShort": id_short,
        "semanticId": _global_ref(semantic_id),
        "endpoints": [{"interface": "SUBMODEL-3.0", "protocolInformation": protocol}],
    }


def shell_descriptor(entry: PassportListing, *, public_url: str, base_id: str = DEFAULT_BASE_ID) -> JsonObject:
    """The AssetAdministrationShellDescriptor of a passport's twin, with the descriptors of all its submodels."""
    return {
        "id": shell_id(entry.passport_id, base_id),
        "idShort": SHELL_ID_SHORT,
        "assetKind": "Instance",
        "globalAssetId": entry.passport_id.urn,
        "specificAssetIds": specific_asset_ids(entry),
        "submodelDescriptors": [
            submodel_descriptor(entry.passport_id, part, public_url=public_url, base_id=base_id)
            for part in range(len(SUBMODEL_PARTS))
        ],
    }


def battery_pass_submodel(passport_id: PassportId, base_id: str = DEFAULT_BASE_ID) -> JsonObject:
    """The ``BatteryPass`` submodel without elements: the aspect is served only value-only (SAMM JSON)."""
    return {
        "idShort": BATTERY_PASS,
        "id": submodel_id(passport_id, BATTERY_PASS, base_id),
        "kind": "Instance",
        "semanticId": _global_ref(BATTERY_PASS_SEMANTIC_ID),
        "modelType": "Submodel",
    }


@dataclass(frozen=True, slots=True)
class LookupQuery:
    """What a discovery lookup asks of a passport (every field given must match)."""

    passport_id: PassportId | None = None
    manufacturer_part_id: str | None = None
    part_instance_id: str | None = None


_LOOKUP_FIELDS: Mapping[str, str] = {
    "manufacturerPartId": "manufacturer_part_id",
    "partInstanceId": "part_instance_id",
    "globalAssetId": "passport_id",
}


def lookup_query(asset_ids: Iterable[tuple[str, str]]) -> LookupQuery | None:
    """The AND of (name, value) asset ids as one query; None when no twin can match (an unknown name, a
    ``digitalTwinType`` other than ``PartInstance``, two values for one name, a globalAssetId that is no passport)."""
    wanted: dict[str, Any] = {}
    for name, value in asset_ids:
        if name == "digitalTwinType":
            if value != DIGITAL_TWIN_TYPE:
                return None
            continue
        field = _LOOKUP_FIELDS.get(name)
        if field is None:
            return None
        parsed: Any = value
        if field == "passport_id":
            try:
                parsed = PassportId.parse(value)
            except InvalidInput:
                return None
        if wanted.setdefault(field, parsed) != parsed:
            return None
    return LookupQuery(**wanted)


_BASE64URL = re.compile(r"[A-Za-z0-9_-]*={0,2}")


def encode_id(text: str) -> str:
    """UTF8-BASE64-URL encoding of an identifier, without padding."""
    return base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii").rstrip("=")


def decode_id(text: str, what: str) -> str:
    """An identifier from its UTF8-BASE64-URL form (padding optional).

    Raises:
        InvalidInput: naming `what` (``path.aasIdentifier``, ``query.cursor``) when `text` is not such a form.
    """
    bare = text.rstrip("=")
    if _BASE64URL.fullmatch(text) and len(bare) % 4 != 1:
        try:
            decoded = base64.urlsafe_b64decode(bare + "=" * (-len(bare) % 4)).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            decoded = ""
        if decoded:
            return decoded
    raise InvalidInput.at(what, f"{text[:80]!r} is not a UTF8-BASE64-URL-encoded identifier", rule=RULE)


def decode_asset_id(text: str) -> tuple[str, str]:
    """(name, value) of a base64url-encoded SpecificAssetId (``{"name": …, "value": …}``).

    Raises:
        InvalidInput: not base64url, not JSON, or without string ``name`` and ``value``.
    """
    try:
        doc = json.loads(decode_id(text, "query.assetIds"))
    except json.JSONDecodeError:
        doc = None
    if isinstance(doc, dict) and isinstance(doc.get("name"), str) and isinstance(doc.get("value"), str):
        return doc["name"], doc["value"]
    raise InvalidInput.at("query.assetIds", "not a base64url-encoded SpecificAssetId {name, value}", rule=RULE)


@dataclass(frozen=True, slots=True, order=True)
class Position:
    """Where a page ended: the last item returned (passport, submodel part, item within it)."""

    passport_id: str
    part: int = 0
    offset: int = 0


def encode_cursor(position: Position) -> str:
    """The opaque ``paging_metadata.cursor`` for continuing after `position`."""
    return encode_id(f"{position.passport_id}|{position.part}|{position.offset}")


def decode_cursor(cursor: str) -> Position:
    """The position a cursor of `encode_cursor` names.

    Raises:
        InvalidInput: a cursor this node did not issue.
    """
    passport, _, rest = decode_id(cursor, "query.cursor").partition("|")
    part, _, offset = rest.partition("|")
    if _passport(passport) is None or not part.isdigit() or not offset.isdigit():
        raise InvalidInput.at("query.cursor", "not a cursor issued by this node", rule=RULE)
    return Position(passport, int(part), int(offset))


__all__ = [
    "BATTERY_PASS",
    "BATTERY_PASS_PART",
    "BATTERY_PASS_SEMANTIC_ID",
    "DEFAULT_BASE_ID",
    "DIGITAL_TWIN_TYPE",
    "RULE",
    "SHELL_ID_SHORT",
    "SUBMODEL_PARTS",
    "LookupQuery",
    "Position",
    "battery_pass_submodel",
    "dataset_id",
    "decode_asset_id",
    "decode_cursor",
    "decode_id",
    "encode_cursor",
    "encode_id",
    "lookup_query",
    "parse_shell_id",
    "parse_submodel_id",
    "shell_descriptor",
    "shell_id",
    "specific_asset_ids",
    "submodel_descriptor",
    "submodel_id",
]
