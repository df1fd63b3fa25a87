"""``/aas/api/v3.0/submodels…``: the node's submodel repository (AAS Part 2 V3.0, Submodel Repository SSP-002).

Layout: `MODIFIERS` (the content modifiers ``$metadata``, ``$value``, ``$reference``, ``$path``); rendering a
submodel part under a modifier and walking every twin's parts in cursor order; the endpoint factories for
``/submodels``, ``/submodels/{id}``, ``/submodels/{id}/submodel-elements`` and ``…/submodel-elements/{idShortPath}``,
each registered once per modifier; ``…/{idShortPath}/attachment``. `router` has no prefix of its own:
`passbridge.api.routes.aas` includes it under ``/aas/api/v3.0``, before its catch-all.

Submodels are the passport's ``aas`` export (and its ``catenax-6.1.0`` aspect for ``BatteryPass``) as the caller may
see it (`passbridge.api.aas_twins`). Errors are AAS `Result` objects (`AasRoute`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from itertools import chain
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from passbridge.api.aas_support import (
    AasRoute,
    Items,
    after as _after,
    json_response as _json,
    paged as _paged,
    result,
)
from passbridge.api.aas_twins import (
    CursorQuery,
    Environment,
    LimitQuery,
    environment_of as _environment,
    find_submodel as _submodel,
    passports_after as _passports,
    submodel_part as _part,
)
from passbridge.api.deps import CallerDep, ServicesDep
from passbridge.bootstrap import Services
from passbridge.ecosystems.catenax.battery_pass import FORMAT as BATTERY_PASS_FORMAT
from passbridge.ecosystems.idta import aas_content as content, registry as reg
from passbridge.errors import NotFound
from passbridge.passport.access import Role
from passbridge.passport.model import PassportId

router = APIRouter(route_class=AasRoute)

LevelQuery = Annotated[Literal["deep", "core"] | None, Query(description="deep (default) or core")]
ExtentQuery = Annotated[Literal["withBlobValue", "withoutBlobValue"] | None, Query()]

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


__all__ = ["MODIFIERS", "router"]
