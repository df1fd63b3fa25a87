"""The signed passport carries what the access table says: each role's disclosures rebuild exactly its view."""

from __future__ import annotations

import base64
import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from passbridge.identity import keys
from passbridge.identity.did import StaticDidResolver
from passbridge.identity.passport_signing import ENVELOPE, VCT, SdJwtPassportSigner, verify_passport
from passbridge.passport.access import POINTS_OF_ROLE, AnnexPoint, Role
from passbridge.passport.battery_pass import SPEC_VERSION_6_1_0
from passbridge.passport.model import PassportId
from passbridge.passport.samples import sample_passport
from passbridge.passport.signatures import SignedPassport, implied_access, presentation, signed_content
from passbridge.passport.views import project
from tests.conftest import official_example

SIGNER = SdJwtPassportSigner(keys.generate(), "did:web:node.example")
SIGNER_KID = SIGNER.did_document().methods[0].id.split("#")[1]
RESOLVER = StaticDidResolver([SIGNER.did_document()])
SIGNED_AT = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def encoded_disclosures(signature: SignedPassport) -> list[str]:
    return [d.encoded for d in signature.disclosures]


def view(doc: dict[str, Any], role: Role) -> dict[str, Any]:
    """What ``?format=catenax-6.1.0`` shows `role` (the owner's owner-only data is never signed)."""
    seen = project(doc, Role.COMMISSION if role is Role.OWNER else role)
    return seen if "specVersion" in seen else {"specVersion": SPEC_VERSION_6_1_0, **seen}


def without_public_safety(doc: dict[str, Any]) -> dict[str, Any]:
    """`safety` keeps only point-2 members: it must become a disclosure itself (no empty object for the public)."""
    doc = copy.deepcopy(doc)
    doc["safety"] = {k: v for k, v in doc["safety"].items() if k not in ("usableExtinguishAgent", "meaningOfLabels")}
    return doc


def with_empty_operation(doc: dict[str, Any]) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    doc["operation"] = {}
    return doc


def with_rated_as_list(doc: dict[str, Any]) -> dict[str, Any]:
    """Not BatteryPass, but the same rules: a list where the table has a mixed object (array-element disclosures)."""
    doc = copy.deepcopy(doc)
    doc["performance"]["rated"] = [{"selfDischargingRate": 1, "ratedCapacity": 2}, {"selfDischargingRate": 3}]
    return doc


DOCUMENTS = {
    "sample with owner data": sample_passport(1, with_owner_data=True),
    "official example": official_example(),
    "safety without public members": without_public_safety(sample_passport(2)),
    "empty operation": with_empty_operation(sample_passport(3)),
    "list at a mixed path": with_rated_as_list(sample_passport(4)),
}


def test_the_commission_reads_everything_but_owner_only_data() -> None:
    assert POINTS_OF_ROLE[Role.COMMISSION] == frozenset(AnnexPoint) - {AnnexPoint.OWNER}  # what `signed_content` uses


@pytest.mark.parametrize("name", DOCUMENTS)
@pytest.mark.parametrize("role", list(Role))
def test_each_role_gets_exactly_its_view(name: str, role: Role) -> None:
    doc = DOCUMENTS[name]
    pid = PassportId.parse(doc["metadata"]["passportIdentifier"])
    signature = SIGNER.sign(doc, pid, 3, SIGNED_AT)
    verified = verify_passport(presentation(signature, role), RESOLVER)
    assert verified.content == view(doc, role)
    assert (verified.passport_id, verified.version, verified.signed_at) == (pid.urn, 3, SIGNED_AT)
    if role is Role.ANONYMOUS:
        assert verified.disclosed == ()


def test_public_fields_are_in_clear_and_owner_data_is_not_signed_at_all() -> None:
    doc = DOCUMENTS["sample with owner data"]
    signature = SIGNER.sign(doc, PassportId.parse(doc["metadata"]["passportIdentifier"]), 1, SIGNED_AT)
    everything: dict[str, Any] = verify_passport(presentation(signature, Role.OWNER), RESOLVER).content
    assert "owner" not in everything["x-passbridge"] and "owner" in doc["x-passbridge"]
    decoded = [
        base64.urlsafe_b64decode(p + "==") for p in (signature.jwt.split(".")[1], *encoded_disclosures(signature))
    ]
    assert b"Kansai" not in b"".join(decoded) and b"LAPBDEMO1EVB77000000001" in decoded[0]  # public: in clear
    public = verify_passport(presentation(signature, Role.ANONYMOUS), RESOLVER)
    assert public.content == view(doc, Role.ANONYMOUS) == project(signed_content(doc), Role.ANONYMOUS)


def test_a_container_without_public_members_is_one_disclosure_holding_the_others() -> None:
    doc = DOCUMENTS["safety without public members"]
    signature = SIGNER.sign(doc, PassportId.new(), 1, SIGNED_AT)
    by_path = {d.path: i for i, d in enumerate(signature.disclosures)}
    assert signature.disclosures[by_path["safety.dismantling"]].parent == by_path["safety"]
    assert signature.disclosures[by_path["safety"]].parent is None


def test_the_envelope_names_the_format_and_never_collides_with_passport_members() -> None:
    doc = DOCUMENTS["official example"]
    signature = SIGNER.sign(doc, PassportId.new(), 1, SIGNED_AT)
    verified = verify_passport(presentation(signature, Role.ANONYMOUS), RESOLVER)
    assert verified.issuer == "did:web:node.example" and verified.key_id == f"did:web:node.example#{SIGNER_KID}"
    assert VCT == "urn:samm:io.catenax.battery.battery_pass:6.1.0#BatteryPass"
    assert not set(ENVELOPE) & set(signed_content(doc))


def test_disclosed_paths_imply_the_annex_xiii_points_and_their_readers() -> None:
    assert implied_access([]).points == {AnnexPoint.POINT_1}
    assert implied_access([]).readers == tuple(Role) and implied_access([]).level == "public"
    assert implied_access(["handling"]).level == "legitimate_interest or authority"  # point 2: both read it
    legitimate = implied_access(["operation.intoServiceDate", "materials.composition"])
    assert legitimate.points == {AnnexPoint.POINT_1, AnnexPoint.POINT_2, AnnexPoint.POINT_4}
    assert legitimate.readers == (Role.LEGITIMATE_INTEREST, Role.RECYCLER, Role.COMMISSION, Role.OWNER)
    assert legitimate.level == "legitimate_interest"
    authority = implied_access(["safety", "safety.dismantling", "performance.rated.testReport"])  # inner ones count
    assert authority.readers == (Role.NOTIFIED_BODY, Role.MARKET_SURVEILLANCE, Role.COMMISSION, Role.OWNER)
    assert authority.level == "authority"
    assert implied_access(["performance.dynamic", "performance.rated.testReport"]).level.endswith("(commission)")
