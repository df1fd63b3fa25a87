"""The twins behind ``/aas/api/v3.0``: each passport is one Asset Administration Shell with its submodels.

Layout: the paging query parameters every AAS listing takes (`LimitQuery`, `CursorQuery`); `passports_after` (the
passports after a cursor position, matching a lookup query, `EVERY` by default) and `per_twin`; `find_twin` (a
passport by its encoded shell id); `environment_of` (the passport's ``aas`` export as a role sees it, parsed once),
`shell_of`, `submodel_part` and `find_submodel` (a submodel of a twin by its encoded id). The routers of
`passbridge.api.routes.aas` (registry, discovery, shells) and `passbridge.api.routes.aas_submodels` (submodel
repository) share them.

Every read goes through `PassportService` with the caller's role, so the AAS API shows exactly what the passport
routes show the same caller.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import cache
from typing import Annotated, Any, cast

from fastapi import Query

from passbridge.api.aas_support import MAX_PAGE, PAGE, Items
from passbridge.bootstrap import Services
from passbridge.ecosystems.idta import registry as reg
from passbridge.ecosystems.idta.renderers import AAS_FORMAT
from passbridge.errors import NotFound
from passbridge.jsoncodec import loads_fast
from passbridge.passport.access import Role
from passbridge.passport.model import PassportId
from passbridge.passport.ports import PassportListing

LimitQuery = Annotated[int | None, Query(ge=1, description=f"page size (default {PAGE}, at most {MAX_PAGE})")]
CursorQuery = Annotated[str | None, Query(description="paging_metadata.cursor of the previous page")]
Environment = Callable[[], Mapping[str, Any]]
"""A passport's ``aas`` export, parsed when first called (`environment_of`)."""

EVERY = reg.LookupQuery()
"""The lookup query every passport matches."""


def passports_after(
    services: Services, after: reg.Position | None, query: reg.LookupQuery | None = EVERY
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


def per_twin(entries: Iterable[PassportListing], item: Callable[[PassportListing], Any]) -> Items:
    """`item` of each passport, keyed by the twin's cursor position."""
    return ((reg.Position(entry.passport_id.value), item(entry)) for entry in entries)


def find_twin(services: Services, encoded: str) -> PassportListing:
    """The passport whose twin has the encoded shell id `encoded`.

    Raises:
        NotFound: no such shell.
    """
    aas_id = reg.decode_id(encoded, "path.aasIdentifier")
    passport_id = reg.parse_shell_id(aas_id)
    found = services.passports.listing(after=None, limit=1, passport_id=passport_id) if passport_id else []
    if not found:
        raise NotFound(f"no Asset Administration Shell with id {aas_id!r}")
    return found[0]


def environment_of(services: Services, passport_id: PassportId, role: Role) -> Environment:
    """The passport's ``aas`` export as `role` sees it, parsed once when first asked for."""
    return cache(
        lambda: cast(Mapping[str, Any], loads_fast(services.passports.read(passport_id, role, AAS_FORMAT).body))
    )


def shell_of(environment: Environment) -> Any:
    """The twin's one Asset Administration Shell."""
    return environment()["assetAdministrationShells"][0]


def submodel_part(passport_id: PassportId, part: int, environment: Environment) -> Mapping[str, Any]:
    """Submodel `part` (index in `SUBMODEL_PARTS`) of a passport's twin."""
    if part == reg.BATTERY_PASS_PART:
        return reg.battery_pass_submodel(passport_id)
    return next(s for s in environment()["submodels"] if s["idShort"] == reg.SUBMODEL_PARTS[part][0])


def find_submodel(services: Services, role: Role, encoded: str) -> tuple[PassportId, int, Environment]:
    """The passport, part and export behind the encoded submodel id `encoded`.

    Raises:
        NotFound: not a submodel id of this node, or (`PassportNotFound`) its passport does not exist.
    """
    submodel_id = reg.decode_id(encoded, "path.submodelIdentifier")
    parsed = reg.parse_submodel_id(submodel_id)
    if parsed is None:
        raise NotFound(f"no submodel with id {submodel_id!r}")
    passport_id, part = parsed
    environment = environment_of(services, passport_id, role)
    if part == reg.BATTERY_PASS_PART:
        services.passports.head(passport_id)  # PassportNotFound (404) for a passport that does not exist
    else:
        environment()  # the same, and the export is parsed once for what follows
    return passport_id, part, environment


__all__ = [
    "EVERY",
    "CursorQuery",
    "Environment",
    "LimitQuery",
    "environment_of",
    "find_submodel",
    "find_twin",
    "passports_after",
    "per_twin",
    "shell_of",
    "submodel_part",
]
