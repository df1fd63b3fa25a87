"""`/aas/api/v3.0`: the node's digital twin registry and submodel repository (AAS Part 2 V3.0 HTTP API).

Layout: `PREFIX`, `PROFILES` and `router` (its `AasRoute` answers errors as AAS `Result` objects; paging helpers in
`passbridge.api.aas_support`, twin lookups in `passbridge.api.aas_twins`) · registry: ``/description``,
``/shell-descriptors…`` (Registry SSP-002, Catena-X CX-0002), ``/lookup/shells…`` (Discovery reads) · ``/shells…``
and ``/serialization`` · repository (Submodel Repository SSP-002): ``/submodels[/{id}[/submodel-elements[/{…}]]]``
with their content modifiers, the router of `passbridge.api.routes.aas_submodels` included here · a catch-all (404
or 501).

Submodels are the passport's ``aas`` export (and its ``catenax-6.1.0`` aspect for ``BatteryPass``) as the caller may
see it (`PassportService.read`), so this API shows exactly what the passport routes show the same caller. Errors are
AAS `Result` objects with nothing else in them (aas-test-engines refuses any other key), so this router maps errors
itself rather than through `api.problems`, which answers problem+json everywhere else.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from passbridge.api.aas_support import (
    AasRoute,
    after as _after,
    json_response as _json,
    paged as _paged,
    result,
)
from passbridge.api.aas_twins import (
    EVERY as _EVERY,
    CursorQuery,
    LimitQuery,
    environment_of as _environment,
    find_submodel as _submodel,
    find_twin as _twin,
    passports_after as _passports,
    per_twin as _per_twin,
    shell_of as _shell,
    submodel_part as _part,
)
from passbridge.api.deps import CallerDep, ServicesDep
from passbridge.api.routes import aas_submodels
from passbridge.ecosystems.idta import registry as reg
from passbridge.errors import NotFound

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

AssetIdsQuery = Annotated[list[str] | None, Query(alias="assetIds", description="base64url SpecificAssetIds (AND)")]


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


# --- submodel repository (its routes before the catch-all) -----------------------------------------------------

router.include_router(aas_submodels.router)


@router.api_route("/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False)
def unknown(rest: str, request: Request, services: ServicesDep) -> Response:
    """Anything else under the prefix: 404 for reads, 501 for writes (this node serves the read profiles)."""
    if request.method == "GET":
        raise NotFound(f"no resource at {request.url.path}")
    return result(services, 501, f"{request.method} is not implemented: this node serves the read profiles")


__all__ = ["PREFIX", "PROFILES", "AasRoute", "result", "router"]
