"""``dataTarget=cfpAcl`` (our documented extension): CFP disclosure grants, as the traceability API's ``cfpAcl``.

A grant ``{operatorId, releasedToOperatorId, traceId, acl: [{aclItemGroup, releasedFlag}]}`` says which item groups
of the owner's answer for part `traceId` the downstream `releasedToOperatorId` may see: ``TOTALCFP`` (the per-unit
emissions) and ``TOTALDQR`` (their data-quality ratings). Production semantics: nothing is disclosed until granted
(「本番環境では個別に開示の設定が必要」, ouranos.md §4). One `Kind.ACL` record per owner, `traceId` and
`releasedToOperatorId`; a grant naming one group leaves the other as it was.
"""

from __future__ import annotations

import uuid
from typing import Final

from passbridge.errors import InvalidInput, NotFound
from passbridge.jsontypes import JsonObject, JsonValue
from passbridge.ouranos import fields as f
from passbridge.ouranos.accounts import Caller
from passbridge.ouranos.model import Kind, Record
from passbridge.ouranos.parts import owned_part
from passbridge.ouranos.ports import OuranosRepository, UnitOfWorkFactory

TOTALCFP: Final = "TOTALCFP"
"""The `*Response` emissions (`ghgEmission`) of the owner's answer."""
TOTALDQR: Final = "TOTALDQR"
"""The `dqrValue` (TeR, GeR, TiR) of the owner's answer."""
GROUPS: Final = (TOTALCFP, TOTALDQR)
"""`aclItemGroup` values."""
_NAMESPACE: Final = uuid.UUID("5f0c7a8e-2b1d-4c36-9a4e-0d7c1e6b8a21")


def acl_id(owner_operator_id: str, trace_id: str, released_to_operator_id: str) -> str:
    """The record id of the one grant of `owner_operator_id` for `trace_id` to `released_to_operator_id`."""
    return str(uuid.uuid5(_NAMESPACE, f"{owner_operator_id}/{trace_id}/{released_to_operator_id}"))


def released_groups(
    repo: OuranosRepository, owner_operator_id: str, released_to_operator_id: str, trace_id: str
) -> frozenset[str]:
    """The item groups (subset of ``TOTALCFP``, ``TOTALDQR``) the owner of `trace_id` released to that operator.

    Empty when nothing was granted: disclosure needs an explicit grant.
    """
    record = repo.get(Kind.ACL, acl_id(owner_operator_id, trace_id, released_to_operator_id))
    if record is None or record.operator_id != owner_operator_id:
        return frozenset()
    return frozenset(group for group, released in _flags(record.doc).items() if released)


def _flags(doc: JsonValue) -> dict[str, bool]:
    """``aclItemGroup → releasedFlag`` of a stored grant (both groups, False when absent)."""
    items = f.obj(doc, "$").get("acl")
    out = dict.fromkeys(GROUPS, False)
    for item in items if isinstance(items, list) else []:
        body = f.obj(item, "$.acl")
        group, released = body.get("aclItemGroup"), body.get("releasedFlag")
        if isinstance(group, str) and group in out and isinstance(released, bool):
            out[group] = released
    return out


def _requested(body: JsonObject) -> dict[str, bool]:
    """The ``acl`` array of a request: 1 or 2 items, each group at most once."""
    items = body.get("acl")
    if not isinstance(items, list) or not 1 <= len(items) <= len(GROUPS):
        raise InvalidInput.at("$.acl", f"must be an array of 1 to {len(GROUPS)} items", f.RULE)
    out: dict[str, bool] = {}
    for i, item in enumerate(items):
        path = f"$.acl[{i}]"
        entry = f.obj(item, path)
        group = f.choice(entry, "aclItemGroup", path, GROUPS)
        assert group is not None
        if group in out:
            raise InvalidInput.at(f"{path}.aclItemGroup", f"{group} is named twice", f.RULE)
        out[group] = f.flag(entry, "releasedFlag", path)
    return out


class AclService:
    """Grants of the caller's answers to its downstream operators."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    def put(self, caller: Caller, doc: JsonValue) -> JsonObject:
        """``PUT cfpAcl``: grant or revoke (``releasedFlag: false``) item groups of the caller's part.

        Returns:
            The stored grant, both groups listed.

        Raises:
            InvalidInput: a bad field (named by its path), or a grant to the caller itself.
            Forbidden: `operatorId` is not the caller.
            NotFound: `traceId` is not a part of the caller, or `releasedToOperatorId` is no operator.
        """
        body = f.obj(doc, "$")
        caller.owns(body.get("operatorId"), "$.operatorId")
        trace_id = f.a_uuid(body.get("traceId"), "$.traceId")
        released_to = f.a_uuid(body.get("releasedToOperatorId"), "$.releasedToOperatorId")
        if released_to == caller.operator_id:
            raise InvalidInput.at("$.releasedToOperatorId", "must be another operator", f.RULE)
        wanted = _requested(body)
        with self._uow() as uow:
            repo = uow.ouranos
            owned_part(repo, caller, trace_id)
            if repo.get(Kind.OPERATOR, released_to) is None:
                raise NotFound(f"no operator {released_to} (releasedToOperatorId)")
            record_id = acl_id(caller.operator_id, trace_id, released_to)
            stored = repo.get(Kind.ACL, record_id)
            flags = {**(_flags(stored.doc) if stored is not None else dict.fromkeys(GROUPS, False)), **wanted}
            grant: JsonObject = {
                "operatorId": caller.operator_id,
                "releasedToOperatorId": released_to,
                "traceId": trace_id,
                "acl": [{"aclItemGroup": group, "releasedFlag": flags[group]} for group in GROUPS],
            }
            repo.put(Record(Kind.ACL, record_id, caller.operator_id, grant, ref=trace_id))
            uow.commit()
        return grant

    def get(self, caller: Caller, trace_id: str) -> list[JsonValue]:
        """``GET cfpAcl&traceId=``: the caller's grants for its part `trace_id`, one per downstream operator.

        Raises:
            NotFound: `trace_id` is not a part of the caller.
        """
        with self._uow(write=False) as uow:
            repo = uow.ouranos
            owned_part(repo, caller, trace_id)
            grants = repo.find(Kind.ACL, ref=trace_id)
        return [grant.doc for grant in grants if grant.operator_id == caller.operator_id]


__all__ = ["GROUPS", "TOTALCFP", "TOTALDQR", "AclService", "acl_id", "released_groups"]
