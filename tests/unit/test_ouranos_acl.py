"""`released_groups`: what one owner released of one part to one downstream, and nothing without a grant."""

from __future__ import annotations

from typing import Any

from passbridge.identity.keys import generate
from passbridge.ouranos.accounts import Caller
from passbridge.ouranos.acl import acl_id, released_groups
from passbridge.ouranos.model import Kind, Record
from passbridge.ouranos.services import OuranosPlatform
from tests.conftest import FixedClock
from tests.unit.ouranos.test_services import FakeRepository, FakeUnitOfWork


def _grant(owner: Caller, to: str, trace_id: str, **groups: bool) -> dict[str, Any]:
    acl = [{"aclItemGroup": g, "releasedFlag": f} for g, f in groups.items()]
    return {"operatorId": owner.operator_id, "releasedToOperatorId": to, "traceId": trace_id, "acl": acl}


def test_groups_are_released_per_owner_part_and_downstream_and_revoked_by_a_false_flag() -> None:
    repo = FakeRepository()
    platform = OuranosPlatform.build(lambda **_: FakeUnitOfWork(repo), FixedClock(), generate())
    ids = [platform.accounts.add_operator(f"社{n}", f"10000000000{n}", f"u{n}@x.jp", "Passw0rd!")[0] for n in range(3)]
    up, down, other = (Caller(i, "u") for i in ids)
    plant_doc = {"operatorId": up.operator_id, "plantName": "p", "plantAddress": "a", "openPlantId": "123456"}
    plant: Any = platform.authinfo.put_plant(up, {**plant_doc, "plantId": None})
    part = {
        "traceId": None,
        "operatorId": up.operator_id,
        "plantId": plant["plantId"],
        "partsName": "セル",
        "supportPartsName": None,
        "terminatedFlag": True,
        "amountRequired": None,
        "amountRequiredUnit": "unit",
    }
    trace_id = str(platform.parts.put_parts(up, part)["traceId"])
    assert released_groups(repo, up.operator_id, down.operator_id, trace_id) == frozenset()
    platform.acl.put(up, _grant(up, down.operator_id, trace_id, TOTALDQR=True))
    assert released_groups(repo, up.operator_id, down.operator_id, trace_id) == {"TOTALDQR"}
    platform.acl.put(up, _grant(up, down.operator_id, trace_id, TOTALCFP=True))
    assert released_groups(repo, up.operator_id, down.operator_id, trace_id) == {"TOTALCFP", "TOTALDQR"}
    assert released_groups(repo, up.operator_id, other.operator_id, trace_id) == frozenset()
    assert released_groups(repo, down.operator_id, up.operator_id, trace_id) == frozenset()
    platform.acl.put(up, _grant(up, down.operator_id, trace_id, TOTALCFP=False, TOTALDQR=False))
    assert released_groups(repo, up.operator_id, down.operator_id, trace_id) == frozenset()
    assert len(repo.find(Kind.ACL)) == 1  # one record per owner, part and downstream


def test_a_record_under_the_grant_id_but_of_another_owner_releases_nothing() -> None:
    repo = FakeRepository()
    doc: Any = {"acl": [{"aclItemGroup": "TOTALCFP", "releasedFlag": True}]}
    repo.put(Record(Kind.ACL, acl_id("owner", "trace", "down"), "intruder", doc, ref="trace"))
    assert released_groups(repo, "owner", "down", "trace") == frozenset()
    repo.put(Record(Kind.ACL, acl_id("owner", "trace", "down"), "owner", doc, ref="trace"))
    assert released_groups(repo, "owner", "down", "trace") == {"TOTALCFP"}
