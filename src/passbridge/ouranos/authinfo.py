"""``/api/v1/authInfo``: operators (own, by ``openOperatorId``, by up to 100 ``operatorIds``) and plants."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from passbridge.errors import InvalidInput, NotFound
from passbridge.jsontypes import JsonObject, JsonValue
from passbridge.ouranos import fields as f
from passbridge.ouranos.accounts import Caller
from passbridge.ouranos.model import Kind, Record
from passbridge.ouranos.ports import UnitOfWorkFactory


class AuthInfoService:
    """Operator and plant information of the platform."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    def operator(self, caller: Caller, open_operator_id: str | None = None) -> JsonValue:
        """`traceability.OperatorModel` of the caller, or of the operator with `open_operator_id`.

        Raises:
            NotFound: no operator has that `openOperatorId`.
        """
        with self._uow(write=False) as uow:
            if open_operator_id is None:
                record = uow.ouranos.get(Kind.OPERATOR, caller.operator_id)
            else:
                found = uow.ouranos.find(Kind.OPERATOR, ref=open_operator_id, limit=1)
                record = found[0] if found else None
        if record is None:
            raise NotFound(f"no operator with openOperatorId {open_operator_id}")
        return record.doc

    def operators(self, operator_ids: Sequence[str]) -> list[JsonValue]:
        """`traceability.OperatorModel`s of up to `MAX_OPERATOR_IDS` operators (unknown ids are left out)."""
        with self._uow(write=False) as uow:
            records = [uow.ouranos.get(Kind.OPERATOR, operator_id) for operator_id in operator_ids]
        return [record.doc for record in records if record is not None]

    def put_operator(self, caller: Caller, doc: JsonValue) -> JsonValue:
        """Update the caller's name, address and `globalOperatorId` (`openOperatorId` is fixed by the platform).

        Raises:
            InvalidInput: a field breaks the OpenAPI rules. Forbidden: another operator's `operatorId`.
        """
        body = f.obj(doc, "$")
        caller.owns(body.get("operatorId"), "$.operatorId")
        attribute = f.obj(body.get("operatorAttribute") or {}, "$.operatorAttribute")
        global_id = f.text(attribute, "globalOperatorId", "$.operatorAttribute", nullable=True)
        with self._uow() as uow:
            record = uow.ouranos.get(Kind.OPERATOR, caller.operator_id)
            assert record is not None  # the caller's token names an existing operator
            old = f.obj(record.doc, "$")
            if body.get("openOperatorId", old["openOperatorId"]) != old["openOperatorId"]:
                raise InvalidInput.at("$.openOperatorId", "field is immutable", f.RULE)
            if global_id and any(
                f.obj(f.obj(other.doc, "$").get("operatorAttribute") or {}, "$").get("globalOperatorId") == global_id
                for other in uow.ouranos.find(Kind.OPERATOR)
                if other.record_id != caller.operator_id
            ):
                raise InvalidInput.at("$.operatorAttribute.globalOperatorId", f"{global_id} is already exists", f.RULE)
            new = {
                **old,
                "operatorName": f.required_text(body, "operatorName", "$"),
                "operatorAddress": f.required_text(body, "operatorAddress", "$"),
                "operatorAttribute": {"globalOperatorId": global_id},
            }
            uow.ouranos.put(Record(Kind.OPERATOR, caller.operator_id, caller.operator_id, new, ref=record.ref))
            uow.commit()
        return new

    def put_plant(self, caller: Caller, doc: JsonValue) -> JsonValue:
        """Create (``plantId: null``) or update a plant of the caller.

        Raises:
            InvalidInput: a field breaks the OpenAPI rules. Forbidden: another operator's. NotFound: no such plant.
        """
        body = f.obj(doc, "$")
        caller.owns(body.get("operatorId"), "$.operatorId")
        plant_id = f.optional_uuid(body, "plantId", "$")
        open_plant_id = f.required_text(body, "openPlantId", "$", low=6, high=26)
        if not f.OPEN_PLANT_ID.match(open_plant_id):
            raise InvalidInput.at("$.openPlantId", "must end in 6 digits", f.RULE)
        attribute = f.obj(body.get("plantAttribute") or {}, "$.plantAttribute")
        with self._uow() as uow:
            if plant_id is not None:
                old = uow.ouranos.get(Kind.PLANT, plant_id)
                if old is None or old.operator_id != caller.operator_id:
                    raise NotFound(f"no plant {plant_id} of the caller")
            if any(
                f.obj(other.doc, "$").get("openPlantId") == open_plant_id and other.record_id != plant_id
                for other in uow.ouranos.find(Kind.PLANT, operator_id=caller.operator_id)
            ):
                raise InvalidInput.at("$.openPlantId", f"{open_plant_id} is already exists", f.RULE)
            plant_id = plant_id or str(uuid.uuid4())
            new: JsonObject = {
                "plantId": plant_id,
                "operatorId": caller.operator_id,
                "plantName": f.required_text(body, "plantName", "$"),
                "plantAddress": f.required_text(body, "plantAddress", "$"),
                "openPlantId": open_plant_id,
                "plantAttribute": {
                    "globalPlantId": f.text(attribute, "globalPlantId", "$.plantAttribute", nullable=True)
                },
            }
            uow.ouranos.put(Record(Kind.PLANT, plant_id, caller.operator_id, new))
            uow.commit()
        return new

    def plants(self, caller: Caller) -> list[JsonValue]:
        """The caller's `traceability.PlantModel`s."""
        with self._uow(write=False) as uow:
            return [record.doc for record in uow.ouranos.find(Kind.PLANT, operator_id=caller.operator_id)]


__all__ = ["AuthInfoService"]
