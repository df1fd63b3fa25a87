"""A company node on the Ouranos platform: the port to the data transaction API, and our plants and parts there.

Layout: `OuranosApi` (the calls a participant makes; `outbound.ouranos_client.OuranosClient` implements it),
`field` (one field of a platform document), `PlatformParts` (who we are on the platform, and our parts there: found
or registered, one platform `traceId` per part of ours).

Mapping rules (documented in the README):

* **Us.** The operator of the supply chain whose `openOperatorId` equals our platform operator's, or whose BPNL or
  DID equals its `globalOperatorId`.
* **Plant.** A part whose site has an `openPlantId` lives on the platform plant with that `openPlantId` (registered
  from the site when missing); a part without one lives on our only plant there (an error if we have 0 or several).
* **Part.** Our part is the platform part of our operator on that plant with the same `partsName` and no
  `supportPartsName`; when missing it is registered (``traceId: null``, the platform issues the id). So the mapping
  needs no state on our side and running twice registers nothing twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Protocol

from passbridge.errors import InvalidInput
from passbridge.jsontypes import JsonObject, JsonValue
from passbridge.supplychain.catalog import Catalog, PartEntry
from passbridge.supplychain.model import Operator
from passbridge.supplychain.ouranos_wire import RULE, parts_model, plant_model


class OuranosApi(Protocol):
    """The data transaction API as one logged-in operator calls it (``apiKey`` + bearer token, pages followed).

    Every call raises the `passbridge.errors` kind of the platform's answer (`InvalidInput` for 400,
    `Unauthenticated`, `Forbidden`, `NotFound`, `CounterpartyError` when unreachable), with the platform's message.
    """

    def own_operator(self) -> JsonObject:
        """``GET authInfo?dataTarget=operator``: our `OperatorModel`."""
        ...

    def operator_by_open_id(self, open_operator_id: str) -> JsonObject | None:
        """The `OperatorModel` with this `openOperatorId`, or None if the platform has none."""
        ...

    def operators(self, operator_ids: Sequence[str]) -> list[JsonObject]:
        """`OperatorModel`s by `operatorId` (unknown ids left out)."""
        ...

    def plants(self) -> list[JsonObject]:
        """Our `PlantModel`s."""
        ...

    def put_plant(self, plant: JsonObject) -> JsonObject:
        """Register or update one of our plants."""
        ...

    def parts(self) -> list[JsonObject]:
        """All our `PartsModel`s."""
        ...

    def put_parts(self, part: JsonObject) -> JsonObject:
        """Register or update a parent part."""
        ...

    def structure(self, trace_id: str) -> JsonObject:
        """The `PartsStructureModel` of our part."""
        ...

    def put_structure(self, structure: JsonObject) -> JsonObject:
        """Register a parent part with its children (children left out are detached)."""
        ...

    def trade_requests(self, trace_ids: Sequence[str]) -> list[JsonObject]:
        """`TradeModel`s of the requests we sent about these child parts."""
        ...

    def put_trade_request(self, request: JsonObject) -> JsonObject:
        """Send a request (`tradeModel` + `statusModel`) to an upstream operator."""
        ...

    def received_requests(self) -> list[JsonObject]:
        """``GET tradeResponse``: the requests addressed to us, with the downstream part (amount null)."""
        ...

    def respond(self, trade_id: str, trace_id: str) -> JsonObject:
        """``PUT tradeResponse``: link our part to a request addressed to us."""
        ...

    def statuses(self, *, target: str, trace_id: str | None = None) -> list[JsonObject]:
        """`StatusModel`s of requests sent (``REQUEST``) or received (``RESPONSE``), of one part if given."""
        ...

    def cfp(self, trace_ids: Sequence[str]) -> list[JsonObject]:
        """The CFP records of our parts, with the upstream's ``*Response`` records for child parts."""
        ...

    def put_cfp(self, records: Sequence[JsonValue]) -> list[JsonObject]:
        """Register (or replace) the 4 CFP records of one of our parts."""
        ...

    def cfp_acl(self, trace_id: str) -> list[JsonObject] | None:
        """Our CFP grants for our part, or None when the platform has no ``cfpAcl`` data target."""
        ...

    def put_cfp_acl(self, grant: JsonObject) -> bool:
        """Grant item groups of our part's CFP to a downstream; False when the platform has no ``cfpAcl``."""
        ...


def field(doc: JsonValue, name: str) -> JsonValue:
    """`doc[name]`, or None when `doc` is not an object or lacks it."""
    return doc.get(name) if isinstance(doc, Mapping) else None


def text(doc: JsonValue, name: str) -> str | None:
    """A string field, or None."""
    value = field(doc, name)
    return value if isinstance(value, str) else None


def matches(operator: Operator, platform_operator: JsonValue) -> bool:
    """True if our `operator` is this platform operator (by `openOperatorId`, or BPNL/DID = `globalOperatorId`)."""
    open_id = text(platform_operator, "openOperatorId")
    global_id = text(field(platform_operator, "operatorAttribute"), "globalOperatorId")
    if open_id is not None and operator.open_operator_id == open_id:
        return True
    return global_id is not None and global_id in (operator.bpnl, operator.did)


def partner_of(catalog: Catalog, platform_operator: JsonValue) -> str | None:
    """The node-local id of the operator of our supply chain that is this platform operator, or None."""
    return next((op_id for op_id, op in sorted(catalog.operators.items()) if matches(op, platform_operator)), None)


class PlatformParts:
    """Who we are on the platform and our parts there, found or registered on first use (cached for one sync)."""

    def __init__(self, api: OuranosApi, catalog: Catalog) -> None:
        self.api = api
        me = api.own_operator()
        operator_id = text(me, "operatorId")
        assert operator_id is not None  # the platform always sends it
        self.operator_id = operator_id
        us = partner_of(catalog, me)
        if us is None:
            raise InvalidInput.at(
                "operators",
                f"no operator of the supply chain is our Ouranos operator (openOperatorId "
                f"{text(me, 'openOperatorId')!r}): give ours that openOperatorId",
                RULE,
            )
        self.us = us
        self._plants: list[JsonObject] | None = None
        self._parts: list[JsonObject] | None = None

    def _all_plants(self) -> list[JsonObject]:
        if self._plants is None:
            self._plants = self.api.plants()
        return self._plants

    def _all_parts(self) -> list[JsonObject]:
        if self._parts is None:
            self._parts = self.api.parts()
        return self._parts

    def plant_for(self, catalog: Catalog, entry: PartEntry) -> str:
        """The platform `plantId` of our part (see the module's plant rule).

        Raises:
            InvalidInput: the part has no site with an `openPlantId` and we have not exactly one plant there.
        """
        site_entry = catalog.sites.get(entry.site_id) if entry.site_id is not None else None
        site = site_entry.site if site_entry is not None else None
        if site is not None and site.open_plant_id is not None:
            found = [p for p in self._all_plants() if field(p, "openPlantId") == site.open_plant_id]
            if not found:
                found = [self.api.put_plant(plant_model(self.operator_id, site))]
                self._all_plants().append(found[0])
            plant_id = text(found[0], "plantId")
        else:
            plants = self._all_plants()
            plant_id = text(plants[0], "plantId") if len(plants) == 1 else None
            if plant_id is None:
                raise InvalidInput.at(
                    f"parts[{entry.part.trace_id}].site",
                    f"needs a site with an openPlantId: our operator has {len(plants)} plants on Ouranos",
                    RULE,
                )
        assert plant_id is not None
        return plant_id

    def find(self, plant_id: str, parts_name: str) -> str | None:
        """The platform `traceId` of our part named `parts_name` on that plant, or None."""
        for part in self._all_parts():
            if (
                field(part, "plantId") == plant_id
                and field(part, "partsName") == parts_name
                and field(part, "supportPartsName") is None
            ):
                return text(part, "traceId")
        return None

    def ensure(self, catalog: Catalog, trace_id: uuid.UUID) -> str:
        """The platform `traceId` of our part `trace_id`, registered as a parent part if it is not there yet.

        Raises:
            InvalidInput: as `plant_for` and `parts_model`.
        """
        entry = catalog.parts[trace_id]
        plant_id = self.plant_for(catalog, entry)
        found = self.find(plant_id, entry.part.parts_name)
        if found is not None:
            return found
        saved = self.api.put_parts(parts_model(self.operator_id, plant_id, entry.part))
        self._all_parts().append(saved)
        registered = text(saved, "traceId")
        assert registered is not None
        return registered

    def forget(self) -> None:
        """Drop the cached parts (after a structure registration changed them)."""
        self._parts = None


__all__ = ["OuranosApi", "PlatformParts", "field", "matches", "partner_of", "text"]
