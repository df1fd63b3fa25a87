"""`/aas/api/v3.0`: the node's digital twin registry and submodel repository (AAS Part 2 V3.0 HTTP API).

Layout: `AasRoute` (errors → AAS `Result`) · paging helpers · registry: ``/description``, ``/shell-descriptors…``
(Registry SSP-002, Catena-X CX-0002), ``/lookup/shells…`` (Discovery reads) · ``/shells…`` and ``/serialization``
· repository (Submodel Repository SSP-002): ``/submodels[/{id}[/submodel-elements[/{idShortPath}]]]``, each with
its content modifiers (``$metadata``, ``$value``, ``$reference``, ``$path``) · a catch-all (404 or 501).

Submodels are the passport's ``aas`` export (and its ``catenax-6.1.0`` aspect for ``BatteryPass``) as the caller may
see it (`PassportService.read`), so this API shows exactly what the passport routes show the same caller. Errors are
AAS `Result` objects with nothing else in them (aas-test-engines refuses any other key), so this router maps errors
itself rather than through `api.problems`, which answers problem+json everywhere else.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import cache, partial
from itertools import chain
from typing import Annotated, Any, Literal, cast

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from passbridge.api.aas_support import (
    MAX_PAGE,
    PAGE,
    AasRoute,
    Items,
    after as _after,
    json_response as _json,
    paged as _paged,
    result,
)
from passbridge.api.deps import CallerDep, ServicesDep
from passbridge.bootstrap import Services
from passbridge.ecosystems.catenax.battery_pass import FORMAT as BATTERY_PASS_FORMAT
from passbridge.ecosystems.idta import aas_content as content, registry as reg
from passbridge.ecosystems.idta.renderers import AAS_FORMAT
from passbridge.errors import NotFound
from passbridge.jsoncodec import loads_fast
from passbridge.passport.access import Role
from passbridge.passport.model import PassportId
from passbridge.passport.ports import PassportListing

logger = logging.getLogger(__name__)

PREFIX = "/aas/api/v3.0"
_SPEC = "https://admin-shell.io/aas/API/3/0/"
PROFILES = tuple(
    _SPEC + name
    for name in (
        "AssetAdministrationShellRegistryServiceSpecification/SSP-002",
        "DiscoveryServiceSpecification/SSP-001",  # its reads; writes are optional in CX-0002
        "SubmodelRepositoryServiceSpecification/SSP-002",
    )
)


router = APIRouter(prefix=PREFIX, tags=["aas"], route_class=AasRoute)

LimitQuery = Annotated[int | None, Query(ge=1, description=f"page size (default {PAGE}, at most {MAX_PAGE})")]
CursorQuery = Annotated[str | None, Query(description="paging_metadata.cursor of the previous page")]
LevelQuery = Annotated[Literal["deep", "core"] | None, Query(description="deep (default) or core")]
ExtentQuery = Annotated[Literal["withBlobValue", "withoutBlobValue"] | None, Query()]
AssetIdsQuery = Annotated[list[str] | None, Query(alias="assetIds", description="base64url SpecificAssetIds (AND)")]
Environment = Callable[[], Mapping[str, Any]]


_EVERY = reg.LookupQuery()


def _passports(
    services: Services, after: reg.Position | None, query: reg.LookupQuery | None = _EVERY
) -> Iterator[PassportListing]:
    """Passports after the one `after` names, in id order, matching `query` (None: no passport can match)."""
    last = PassportId(after.passport_id) if after is not None else None
    while query is not None:
        batch = services.passports.listing(
            after=last,
            limit=PAGE,
            passport_id=query.passport_id,
            manufacturer_part_id=query.manufacturer_part_id,
            part_instance_id=query.part_instance_id,
        )
        yield from batch
        if len(batch) < PAGE:
            return
        last = batch[-1].passport_id


def _per_twin(entries: Iterable[PassportListing], item: Callable[[PassportListing], Any]) -> Items:
    return ((reg.Position(entry.passport_id.value), item(entry)) for entry in entries)


def _twin(services: Services, encoded: str) -> PassportListing:
    aas_id = reg.decode_id(encoded, "path.aasIdentifier")
    passport_id = reg.parse_shell_id(aas_id)
    found = services.passports.listing(after=None, limit=1, passport_id=passport_id) if passport_id else []
    if not found:
        raise NotFound(f"no Asset Administration Shell with id {aas_id!r}")
    return found[0]


def _environment(services: Services, passport_id: PassportId, role: Role) -> Environment:
    """The passport's ``aas`` export as `role` sees it, parsed once when first asked for."""
    return cache(
        lambda: cast(Mapping[str, Any], loads_fast(services.passports.read(passport_id, role, AAS_FORMAT).body))
    )


def _shell(environment: Environment) -> Any:
    return environment()["assetAdministrationShells"][0]


def _part(passport_id: PassportId, part: int, environment: Environment) -> Mapping[str, Any]:
    """Submodel `part` (index in `SUBMODEL_PARTS`) of a passport's twin."""
    if part == reg.BATTERY_PASS_PART:
        return reg.battery_pass_submodel(passport_id)
    return next(s for s in environment()["submodels"] if s["idShort"] == reg.SUBMODEL_PARTS[part][0])


def _submodel(services: Services, role: Role, encoded: str) -> tuple[PassportId, int, Environment]:
    submodel_id = reg.decode_id(encoded, "path.submodelIdentifier")
    parsed = reg.parse_submodel_id(submodel_id)
    if parsed is None:
        raise NotFound(f"no submodel with id {submodel_id!r}")
    passport_id, part = parsed
    environment = _environment(services, passport_id, role)
    if part == reg.BATTERY_PASS_PART:
        services.passports.head(passport_id)  # PassportNotFound (404) for a passport that does not exist
    else:
        environment()  # the same, and the export is parsed once for what follows
    return passport_id, part, environment


# --- registry and discovery ------------------------------------------------------------------------------------


@router.get("/description", operation_id="GetDescription")
def description() -> Response:
    """The AAS Part 2 service profiles this node implements (their read operations)."""
    return _json({"profiles": list(PROFILES)})


@router.get("/shell-descriptors", operation_id="GetAllAssetAdministrationShellDescriptors")
def shell_descriptors(
    services: ServicesDep,
    _caller: CallerDep,
    limit: LimitQuery = None,
    cursor: CursorQuery = None,
    asset_kind: Annotated[Literal["Instance", "Type", "NotApplicable"] | None, Query(alias="assetKind")] = None,
    asset_type: Annotated[str | None, Query(alias="assetType", description="base64url")] = None,
) -> Response:
    """The twins' descriptors; every twin is one battery (assetKind Instance) and has no assetType."""
    after = _after(cursor)
    if asset_type is not None:
        reg.decode_id(asset_type, "query.assetType")
    query = _EVERY if asset_kind in (None, "Instance") and asset_type is None else None
    url = services.settings.effective_public_url
    return _paged(_per_twin(_passports(services, after, query), partial(reg.shell_descriptor, public_url=url)), limit)


@router.get("/shell-descriptors/{aasIdentifier}", operation_id="GetAssetAdministrationShellDescriptorById")
def shell_descriptor(aasIdentifier: str, services: ServicesDep, _caller: CallerDep) -> Response:
    """A twin's descriptor (ids are UTF8-BASE64-URL-encoded in paths, as everywhere in Part 2)."""
    url = services.settings.effective_public_url
    return _json(reg.shell_descriptor(_twin(services, aasIdentifier), public_url=url))


@router.get(
    "/shell-descriptors/{aasIdentifier}/submodel-descriptors", operation_id="GetAllSubmodelDescriptorsThroughSuperpath"
)
def submodel_descriptors(
    aasIdentifier: str,
    services: ServicesDep,
    _caller: CallerDep,
    limit: LimitQuery = None,
    cursor: CursorQuery = None,
) -> Response:
    """The descriptors of a twin's submodels: IDTA 02035-1…7, then the BatteryPass aspect."""
    passport_id, after = _twin(services, aasIdentifier).passport_id, _after(cursor)
    url = services.settings.effective_public_url
    parts = range(after.offset + 1 if after else 0, len(reg.SUBMODEL_PARTS))
    descriptor = partial(reg.submodel_descriptor, passport_id, public_url=url)
    return _paged(((reg.Position(passport_id.value, 0, part), descriptor(part)) for part in parts), limit)


@router.get(
    "/shell-descriptors/{aasIdentifier}/submodel-descriptors/{submodelIdentifier}",
    operation_id="GetSubmodelDescriptorByIdThroughSuperpath",
)
def submodel_descriptor(
    aasIdentifier: str, submodelIdentifier: str, services: ServicesDep, _caller: CallerDep
) -> Response:
    """One submodel descriptor of a twin."""
    passport_id = _twin(services, aasIdentifier).passport_id
    submodel_id = reg.decode_id(submodelIdentifier, "path.submodelIdentifier")
    parsed = reg.parse_submodel_id(submodel_id)
    if parsed is None or parsed[0] != passport_id:
        raise NotFound(f"the shell has no submodel with id {submodel_id!r}")
    return _json(reg.submodel_descriptor(passport_id, parsed[1], public_url=services.settings.effective_public_url))


@router.get("/lookup/shells", operation_id="GetAllAssetAdministrationShellIdsByAssetLink")
def lookup_shells(
    services: ServicesDep,
    _caller: CallerDep,
    asset_ids: AssetIdsQuery = None,
    limit: LimitQuery = None,
    cursor: CursorQuery = None,
) -> Response:
    """The ids of the twins matching every asset id given (``manufacturerPartId``, ``partInstanceId``,
    ``digitalTwinType``, ``globalAssetId``); none given: every twin."""
    query = reg.lookup_query(reg.decode_asset_id(a) for a in asset_ids or [])
    return _paged(_per_twin(_passports(services, _after(cursor), query), lambda e: reg.shell_id(e.passport_id)), limit)


@router.get("/lookup/shells/{aasIdentifier}", operation_id="GetAllAssetLinksById")
def asset_links(aasIdentifier: str, services: ServicesDep, _caller: CallerDep) -> Response:
    """The specificAssetIds of one twin."""
    return _json(reg.specific_asset_ids(_twin(services, aasIdentifier)))


# --- shells and serialization ----------------------------------------------------------------------------------


@router.get("/shells", operation_id="GetAllAssetAdministrationShells")
def shells(
    services: ServicesDep,
    caller: CallerDep,
    asset_ids: AssetIdsQuery = None,
    id_short: Annotated[str | None, Query(alias="idShort")] = None,
    limit: LimitQuery = None,
    cursor: CursorQuery = None,
) -> Response:
    """The shell of each passport's ``aas`` export (what `serialization` bundles)."""
    query = reg.lookup_query(reg.decode_asset_id(a) for a in asset_ids or [])
    entries = _passports(services, _after(cursor), query if id_short in (None, reg.SHELL_ID_SHORT) else None)
    return _paged(_per_twin(entries, lambda e: _shell(_environment(services, e.passport_id, caller.role))), limit)


@router.get("/serialization", operation_id="GenerateSerializationByIds")
def serialization(
    services: ServicesDep,
    caller: CallerDep,
    aas_ids: Annotated[list[str] | None, Query(alias="aasIds")] = None,
    submodel_ids: Annotated[list[str] | None, Query(alias="submodelIds")] = None,
    include_concept_descriptions: Annotated[bool | None, Query(alias="includeConceptDescriptions")] = None,
) -> Response:
    """Exactly the shells and submodels named (none named: an empty environment); there are no concept
    descriptions."""
    twins = [_twin(services, encoded).passport_id for encoded in aas_ids or []]
    shells_ = [_shell(_environment(services, passport_id, caller.role)) for passport_id in twins]
    submodels = [_part(*_submodel(services, caller.role, encoded)) for encoded in submodel_ids or []]
    return _json({k: v for k, v in (("assetAdministrationShells", shells_), ("submodels", submodels)) if v})


# --- submodel repository ---------------------------------------------------------------------------------------

MODIFIERS = {"": "", "/$metadata": "-Metadata", "/$value": "-ValueOnly", "/$reference": "-Reference", "/$path": "-Path"}
"""The content modifiers of AAS Part 2: path suffix → operationId suffix."""


def _render(
    services: Services, role: Role, modifier: str, deep: bool, passport_id: PassportId, part: int, env: Environment
) -> list[Any]:
    """Submodel `part` of a twin under `modifier` (``/$path``: one item per idShortPath)."""
    if modifier == "/$value" and part == reg.BATTERY_PASS_PART:  # the Catena-X aspect: its SAMM JSON is its value
        return [services.passports.read(passport_id, role, BATTERY_PASS_FORMAT).body]
    submodel = _part(passport_id, part, env)
    return content.content(submodel, submodel["id"], [], modifier[1:], deep=deep)


def _repository(
    services: Services, role: Role, after: reg.Position | None, parts: Sequence[int], render: Callable[..., list[Any]]
) -> Items:
    """The rendered `parts` of every twin from `after` on, in (passport, part, item) order."""
    current = (
        services.passports.listing(after=None, limit=1, passport_id=PassportId(after.passport_id)) if after else []
    )
    for entry in chain(current, _passports(services, after) if parts else ()):
        environment = _environment(services, entry.passport_id, role)
        for part in parts:
            for offset, item in enumerate(render(entry.passport_id, part, environment)):
                position = reg.Position(entry.passport_id.value, part, offset)
                if after is None or position.passport_id != after.passport_id or position > after:
                    yield position, item


def _all_submodels(modifier: str) -> Callable[..., Response]:
    def endpoint(
        services: ServicesDep,
        caller: CallerDep,
        semantic_id: Annotated[str | None, Query(alias="semanticId", description="base64url")] = None,
        id_short: Annotated[str | None, Query(alias="idShort")] = None,
        limit: LimitQuery = None,
        cursor: CursorQuery = None,
        level: LevelQuery = None,
        extent: ExtentQuery = None,
    ) -> Response:
        after = _after(cursor)
        semantic = reg.decode_id(semantic_id, "query.semanticId") if semantic_id is not None else None
        parts = [
            i for i, (n, sem) in enumerate(reg.SUBMODEL_PARTS) if id_short in (None, n) and semantic in (None, sem)
        ]
        render = partial(_render, services, caller.role, modifier, level != "core")
        return _paged(_repository(services, caller.role, after, parts, render), limit)

    return endpoint


def _submodel_by_id(modifier: str) -> Callable[..., Response]:
    def endpoint(
        submodelIdentifier: str,
        services: ServicesDep,
        caller: CallerDep,
        level: LevelQuery = None,
        extent: ExtentQuery = None,
    ) -> Response:
        found = _submodel(services, caller.role, submodelIdentifier)
        items = _render(services, caller.role, modifier, level != "core", *found)
        if modifier == "/$value" and isinstance(items[0], bytes):  # the aspect JSON as stored
            return Response(items[0], media_type="application/json", headers={"Vary": "Authorization"})
        return _json(items if modifier == "/$path" else items[0])

    return endpoint


def _all_elements(modifier: str) -> Callable[..., Response]:
    def endpoint(
        submodelIdentifier: str,
        services: ServicesDep,
        caller: CallerDep,
        limit: LimitQuery = None,
        cursor: CursorQuery = None,
        level: LevelQuery = None,
        extent: ExtentQuery = None,
    ) -> Response:
        passport_id, part, environment = _submodel(services, caller.role, submodelIdentifier)
        submodel, after, deep = _part(passport_id, part, environment), _after(cursor), level != "core"
        sid, elements = submodel["id"], submodel.get("submodelElements", [])
        if modifier == "/$path":
            values = content.content(submodel, sid, [], "$path", deep=deep)
        else:  # each top-level element as `_element` shows it
            values = [
                v for e in elements for v in content.content(e, sid, [(e["idShort"], e)], modifier[1:], deep=deep)
            ]
        skip = after.offset + 1 if after and (after.passport_id, after.part) == (passport_id.value, part) else 0
        return _paged(((reg.Position(passport_id.value, part, i), v) for i, v in enumerate(values) if i >= skip), limit)

    return endpoint


def _element_at(services: Services, role: Role, encoded: str, path: str) -> tuple[str, content.Chain]:
    submodel = _part(*_submodel(services, role, encoded))
    found = content.find(submodel, path)
    if found is None:
        raise NotFound(f"no submodel element at {path!r} in submodel {submodel['id']!r}")
    return submodel["id"], found


def _element(modifier: str) -> Callable[..., Response]:
    def endpoint(
        submodelIdentifier: str,
        idShortPath: str,
        services: ServicesDep,
        caller: CallerDep,
        level: LevelQuery = None,
        extent: ExtentQuery = None,
    ) -> Response:
        submodel_id, found = _element_at(services, caller.role, submodelIdentifier, idShortPath)
        values = content.content(found[-1][1], submodel_id, found, modifier[1:], deep=level != "core")
        return _json(values if modifier == "/$path" else values[0])

    return endpoint


@router.get(
    "/submodels/{submodelIdentifier}/submodel-elements/{idShortPath}/attachment",
    operation_id="GetFileByPath_SubmodelRepo",
)
def attachment(submodelIdentifier: str, idShortPath: str, services: ServicesDep, caller: CallerDep) -> Response:
    """Files are documents the passport links to; this node does not hold their content (404 names the URI)."""
    element = _element_at(services, caller.role, submodelIdentifier, idShortPath)[1][-1][1]
    if element.get("modelType") != "File":
        return result(services, 405, f"{idShortPath} is a {element.get('modelType')}, not a File")
    raise NotFound(f"the file is not held by this node; it is at {element.get('value', '(no URI)')}")


# Literal suffixes before path parameters, so that `/submodels/$value` is never read as the id "$value".
for _path, _factory, _operation in (
    ("/submodels", _all_submodels, "GetAllSubmodels"),
    ("/submodels/{submodelIdentifier}/submodel-elements", _all_elements, "GetAllSubmodelElements_SubmodelRepo"),
    (
        "/submodels/{submodelIdentifier}/submodel-elements/{idShortPath}",
        _element,
        "GetSubmodelElementByPath_SubmodelRepo",
    ),
    ("/submodels/{submodelIdentifier}", _submodel_by_id, "GetSubmodelById"),
):
    for _modifier, _suffix in MODIFIERS.items():
        _name = _operation.replace("_", _suffix + "_") if "_" in _operation else _operation + _suffix
        router.add_api_route(_path + _modifier, _factory(_modifier), methods=["GET"], operation_id=_name, summary=_name)


@router.api_route("/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False)
def unknown(rest: str, request: Request, services: ServicesDep) -> Response:
    """Anything else under the prefix: 404 for reads, 501 for writes (this node serves the read profiles)."""
    if request.method == "GET":
        raise NotFound(f"no resource at {request.url.path}")
    return result(services, 501, f"{request.method} is not implemented: this node serves the read profiles")


__all__ = ["MODIFIERS", "PREFIX", "PROFILES", "AasRoute", "result", "router"]
