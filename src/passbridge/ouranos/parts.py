"""``dataTarget=parts|partsStructure``: an operator's parts (`traceId`) and one-level parts structures (≤ 50
children, each with `amountRequired` per parent unit; openapi #5, #6, #8, #9)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from passbridge.errors import Conflict, InvalidInput, NotFound
from passbridge.jsontypes import JsonObject, JsonValue
from passbridge.ouranos import fields as f
from passbridge.ouranos.accounts import Caller
from passbridge.ouranos.model import Kind, Record
from passbridge.ouranos.paging import Page, page
from passbridge.ouranos.ports import OuranosRepository, UnitOfWorkFactory

_TEXTS = ("partsLabelName", "partsAddInfo1", "partsAddInfo2", "partsAddInfo3")


def owned_part(repo: OuranosRepository, caller: Caller, trace_id: str) -> Record:
    """The caller's part `trace_id`.

    Raises:
        NotFound: no part `trace_id` of the caller.
    """
    record = repo.get(Kind.PARTS, trace_id)
    if record is None or record.operator_id != caller.operator_id:
        raise NotFound(f"no part with traceId {trace_id} of the caller")
    return record


def _part(repo: OuranosRepository, caller: Caller, doc: JsonValue, path: str, *, child: bool) -> JsonObject:
    """A validated `traceability.PartsModel` of the caller (`traceId` issued for a new part)."""
    body = f.obj(doc, path)
    caller.owns(body.get("operatorId"), f"{path}.operatorId")
    plant_id = f.a_uuid(body.get("plantId"), f"{path}.plantId")
    plant = repo.get(Kind.PLANT, plant_id)
    if plant is None or plant.operator_id != caller.operator_id:
        raise NotFound(f"no plant {plant_id} of the caller")
    amount = f.number(body, "amountRequired", path)
    if child and amount is None:
        raise InvalidInput.at(f"{path}.amountRequired", "is required for a child part", f.RULE)
    if not child and amount is not None:
        raise InvalidInput.at(f"{path}.amountRequired", "must be null for a parent part", f.RULE)
    part: dict[str, JsonValue] = {
        "traceId": f.optional_uuid(body, "traceId", path),
        "operatorId": caller.operator_id,
        "plantId": plant_id,
        "partsName": f.required_text(body, "partsName", path, high=50),
        "supportPartsName": f.text(body, "supportPartsName", path, high=50, nullable=True),
        "terminatedFlag": f.flag(body, "terminatedFlag", path),
        "amountRequired": amount,
        "amountRequiredUnit": f.choice(body, "amountRequiredUnit", path, f.UNITS, nullable=True),
    }
    for name in _TEXTS:
        part[name] = f.text(body, name, path, high=50, nullable=True)
    return part


def _identity(part: JsonObject) -> tuple[JsonValue, ...]:
    """What makes a `traceId` (operator, plant, partsName, supportPartsName; ouranos.md §10)."""
    return part["operatorId"], part["plantId"], part["partsName"], part["supportPartsName"]


def _save(repo: OuranosRepository, caller: Caller, part: dict[str, JsonValue], parent: str | None) -> JsonObject:
    """Store `part`: a given `traceId` must be the caller's; a new one reuses the `traceId` of the same identity."""
    trace_id = part["traceId"]
    if isinstance(trace_id, str):
        owned_part(repo, caller, trace_id)
    else:
        same = [
            r
            for r in repo.find(Kind.PARTS, operator_id=caller.operator_id)
            if _identity(f.obj(r.doc, "$")) == _identity(part)
        ]
        part["traceId"] = same[0].record_id if same else str(uuid.uuid4())
    repo.put(Record(Kind.PARTS, str(part["traceId"]), caller.operator_id, part, ref=parent))
    return part


def upstream_view(part: JsonValue) -> JsonValue:
    """A part as shown to the upstream: `amountRequired` null (川下の活動量は非開示, openapi #12)."""
    return {**f.obj(part, "$"), "amountRequired": None}


class PartsService:
    """Parts and parts structures of the caller."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    def put_parts(self, caller: Caller, doc: JsonValue) -> JsonObject:
        """Register or update a parent part (``traceId: null`` registers one)."""
        with self._uow() as uow:
            part = _save(uow.ouranos, caller, dict(_part(uow.ouranos, caller, doc, "$", child=False)), None)
            uow.commit()
        return part

    def parts(
        self,
        caller: Caller,
        *,
        trace_id: str | None,
        parts_name: str | None,
        plant_id: str | None,
        parent_flag: bool | None,
        size: int,
        after: str | None,
    ) -> Page:
        """The caller's parts, filtered as ``GET …dataTarget=parts`` documents."""
        with self._uow(write=False) as uow:
            records: Sequence[Record] = uow.ouranos.find(Kind.PARTS, operator_id=caller.operator_id)

        def keep(record: Record) -> bool:
            doc = f.obj(record.doc, "$")
            return (
                (trace_id is None or record.record_id == trace_id)
                and (parts_name is None or doc.get("partsName") == parts_name)
                and (plant_id is None or doc.get("plantId") == plant_id)
                and (parent_flag is None or (record.ref is None) == parent_flag)
            )

        return page(filter(keep, records), size, lambda r: r.doc, after)

    def put_structure(self, caller: Caller, doc: JsonValue) -> JsonObject:
        """Register a parent and its ≤ 50 children (one level); children left out are detached.

        Raises:
            InvalidInput: more than 50 children or a field breaking the rules. NotFound: an unknown id.
        """
        body = f.obj(doc, "$")
        children = body.get("childrenPartsModel")
        if not isinstance(children, list):
            raise InvalidInput.at("$.childrenPartsModel", "must be an array", f.RULE)
        if len(children) > f.MAX_CHILDREN:
            raise InvalidInput.at("$.childrenPartsModel", f"at most {f.MAX_CHILDREN} children", f.RULE)
        with self._uow() as uow:
            repo = uow.ouranos
            parent = _save(
                repo,
                caller,
                dict(_part(repo, caller, body.get("parentPartsModel"), "$.parentPartsModel", child=False)),
                None,
            )
            parent_id = str(parent["traceId"])
            checked = [
                dict(_part(repo, caller, c, f"$.childrenPartsModel[{i}]", child=True)) for i, c in enumerate(children)
            ]
            saved = [_save(repo, caller, child, parent_id) for child in checked]
            kept = {child["traceId"] for child in saved}
            for old in repo.find(Kind.PARTS, ref=parent_id):
                if old.record_id not in kept:
                    repo.put(Record(Kind.PARTS, old.record_id, old.operator_id, old.doc))
            uow.commit()
        return {"parentPartsModel": parent, "childrenPartsModel": saved}

    def delete_part(self, caller: Caller, trace_id: str) -> None:
        """``DELETE …dataTarget=parts&traceId=``: remove a part, its CFP and its grants (synchronously here).

        Raises:
            NotFound: not the caller's part.
            Conflict: the part is in a parts structure or in a trade (sent or received), as the OpenAPI documents.
        """
        with self._uow() as uow:
            repo = uow.ouranos
            part = owned_part(repo, caller, trace_id)
            if part.ref is not None or repo.find(Kind.PARTS, ref=trace_id, limit=1):
                raise Conflict(f"part {trace_id} is in a parts structure and cannot be deleted")
            trades = [
                *repo.find(Kind.TRADE, operator_id=caller.operator_id),
                *repo.find(Kind.TRADE, ref=caller.operator_id),
            ]
            for trade in trades:
                model = f.obj(f.obj(trade.doc, "$")["tradeModel"], "$")
                if trace_id in (model["downstreamTraceId"], model["upstreamTraceId"]):
                    raise Conflict(f"part {trace_id} is linked to trade {trade.record_id} and cannot be deleted")
            for kind in (Kind.CFP, Kind.ACL):  # its CFP and the grants disclosing it go with it
                for record in repo.find(kind, ref=trace_id):
                    repo.delete(kind, record.record_id)
            repo.delete(Kind.PARTS, trace_id)
            uow.commit()

    def structure(self, caller: Caller, trace_id: str) -> JsonObject:
        """`traceability.PartsStructureModel` of the caller's part `trace_id`."""
        with self._uow(write=False) as uow:
            parent = owned_part(uow.ouranos, caller, trace_id)
            children = uow.ouranos.find(Kind.PARTS, ref=trace_id)
        return {"parentPartsModel": parent.doc, "childrenPartsModel": [child.doc for child in children]}


__all__ = ["PartsService", "owned_part", "upstream_view"]
