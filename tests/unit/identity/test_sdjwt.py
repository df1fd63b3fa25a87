"""SD-JWT (RFC 9901): the RFC's own digest vectors, issue → present → verify for any closed subset (property), and
one refusal per rule of §7.1, plus a changed byte anywhere."""

from __future__ import annotations

import base64
import itertools
import json
import os
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from passbridge.errors import VerificationFailed
from passbridge.identity import jose, keys, sdjwt
from passbridge.identity.did import StaticDidResolver, build_document
from passbridge.identity.refusals import Refusal
from passbridge.jsoncodec import dumps_exact

ISSUER = "did:web:issuer.example"
KEY = keys.generate()
KID = f"{ISSUER}#{KEY.kid}"
RESOLVER = StaticDidResolver([build_document(ISSUER, [KEY])])


def refusal_of(compact: str, resolver: Any = RESOLVER) -> str:
    with pytest.raises(VerificationFailed) as caught:
        sdjwt.verify(compact, resolver)
    return caught.value.refusal


def signed(payload: dict[str, Any], *disclosures: sdjwt.Disclosure) -> str:
    """A hand-made SD-JWT (for payloads `issue` would never produce)."""
    jwt = jose.sign_payload(KEY, dumps_exact({"iss": ISSUER, **payload}), typ=sdjwt.TYP, kid=KID)
    return sdjwt.compact(jwt, [d.encoded for d in disclosures])


# --- RFC 9901 vectors ----------------------------------------------------------------------------------------


def test_the_digest_of_the_rfc_family_name_disclosure() -> None:
    # RFC 9901 §4.2.1 / §4.2.3: the digest is over the base64url text, not the JSON it encodes
    encoded = "WyJfMjZiYzRMVC1hYzZxMktJNmNCVzVlcyIsICJmYW1pbHlfbmFtZSIsICJNw7ZiaXVzIl0"
    disclosure = sdjwt.Disclosure.parse(encoded)
    assert (disclosure.salt, disclosure.name, disclosure.value) == ("_26bc4LT-ac6q2KI6cBW5es", "family_name", "Möbius")
    assert disclosure.digest == "X9yH0Ajrdm1Oij4tWso9UzzKJvPoDxwmuEcO3XAdRC0"


def test_the_digest_of_the_rfc_array_element_disclosure() -> None:
    # RFC 9901 §4.2.2: ["lklxF5jMYlGTPUovMNIvCA", "FR"], an element of `nationalities`
    disclosure = sdjwt.Disclosure.parse("WyJsa2x4RjVqTVlsR1RQVW92TU5JdkNBIiwgIkZSIl0")
    assert (disclosure.salt, disclosure.name, disclosure.value) == ("lklxF5jMYlGTPUovMNIvCA", None, "FR")
    assert disclosure.digest == "w0I8EKcdCtUPkGCNUrfwVp2xEgNjtoIDlOxc9-PlOhs"


def test_a_made_disclosure_parses_back_with_the_same_digest() -> None:
    made = sdjwt.Disclosure.make("c2FsdA", "mass", Decimal("12.670"))
    parsed = sdjwt.Disclosure.parse(made.encoded)
    assert parsed == made and str(parsed.value) == "12.670"


# --- issue → present → verify -----------------------------------------------------------------------------------

names = st.text(alphabet="abcxyz", min_size=1, max_size=3)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(10**25), 10**25)
    | st.decimals(allow_nan=False, allow_infinity=False, places=3, min_value=-(10**6), max_value=10**6)
    | st.text(max_size=6)
)
trees = st.dictionaries(
    names,
    st.recursive(
        scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(names, inner, max_size=3), max_leaves=12
    ),
    max_size=5,
)


def all_paths(value: Any, path: sdjwt.Path = ()) -> list[sdjwt.Path]:
    if isinstance(value, dict):
        items: list[tuple[str | int, Any]] = list(value.items())
    elif isinstance(value, list):
        items = list(enumerate(value))
    else:
        return []
    return [p for key, child in items for p in [(*path, key), *all_paths(child, (*path, key))]]


def without(value: Any, withheld: set[sdjwt.Path], path: sdjwt.Path = ()) -> Any:
    """What a verifier must see: `value` minus the withheld members and elements."""
    if isinstance(value, dict):
        return {k: without(v, withheld, (*path, k)) for k, v in value.items() if (*path, k) not in withheld}
    if isinstance(value, list):
        return [without(v, withheld, (*path, i)) for i, v in enumerate(value) if (*path, i) not in withheld]
    return value


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(trees, st.data())
def test_a_verifier_sees_exactly_the_presented_disclosures(tree: dict[str, Any], data: st.DataObject) -> None:
    claims = {"iss": ISSUER, **tree}
    paths = all_paths(tree)
    disclosable = data.draw(st.sets(st.sampled_from(paths))) if paths else set()
    issued = sdjwt.issue(claims, disclosable, KEY, kid=KID, decoys=data.draw(st.integers(0, 2)))
    assert {d.path for d in issued.disclosures} == disclosable
    picked = data.draw(st.sets(st.sampled_from(sorted(disclosable, key=str)))) if disclosable else set()
    parents = {d.path: d.parent for d in issued.disclosures}
    chosen: set[sdjwt.Path] = set()
    for path in picked:  # close the choice under "nested in"
        at: sdjwt.Path | None = path
        while at is not None:
            chosen.add(at)
            at = parents[at]
    verified = sdjwt.verify(sdjwt.present(issued, chosen), RESOLVER)
    assert verified.claims == without(claims, disclosable - chosen)
    assert len(verified.disclosed) == len(chosen) and verified.issuer == ISSUER and verified.key_id == KID


def test_nested_disclosures_need_the_one_they_sit_in() -> None:
    claims: dict[str, Any] = {"iss": ISSUER, "safety": {"labels": "public", "steps": ["a", "b"], "agent": "water"}}
    plan = {("safety",), ("safety", "steps"), ("safety", "agent")}
    issued = sdjwt.issue(claims, plan, KEY, kid=KID)
    assert [d.path for d in issued.disclosures][-1] == ("safety",)  # inner `_sd` first, then the outer one
    with pytest.raises(ValueError, match="nested"):
        sdjwt.present(issued, {("safety", "steps")})
    outer_only = sdjwt.verify(sdjwt.present(issued, {("safety",)}), RESOLVER)
    assert outer_only.claims["safety"] == {"labels": "public"}
    inner = next(d for d in issued.disclosures if d.path == ("safety", "steps"))
    smuggled = sdjwt.compact(issued.jwt, [inner.disclosure.encoded])  # the inner one without its parent
    assert refusal_of(smuggled) == Refusal.DIGEST_MISMATCH.value


# --- refusals (§7.1) ------------------------------------------------------------------------------------------


def test_a_disclosure_the_payload_does_not_reference_is_refused() -> None:
    issued = sdjwt.issue({"iss": ISSUER, "a": 1}, {("a",)}, KEY, kid=KID)
    stranger = sdjwt.Disclosure.make(sdjwt.random_salt(), "a", 2)
    assert refusal_of(issued.compact() + stranger.encoded + "~") == Refusal.DIGEST_MISMATCH.value


def test_a_disclosure_given_twice_is_refused() -> None:
    issued = sdjwt.issue({"iss": ISSUER, "a": 1}, {("a",)}, KEY, kid=KID)
    assert refusal_of(issued.compact() + issued.disclosures[0].disclosure.encoded + "~") == Refusal.MALFORMED.value


def test_a_digest_in_the_payload_twice_is_refused() -> None:
    d = sdjwt.Disclosure.make("c2FsdA", "a", 1)
    assert refusal_of(signed({"_sd": [d.digest], "b": {"_sd": [d.digest]}}, d)) == Refusal.DIGEST_MISMATCH.value


@pytest.mark.parametrize(
    ("payload", "disclosure"),
    [
        ({"a": 0, "_sd": ["{digest}"]}, sdjwt.Disclosure.make("c2FsdA", "a", 1)),  # claim name collision
        ({"_sd": ["{digest}"]}, sdjwt.Disclosure.make("c2FsdA", None, 1)),  # array element in `_sd`
        ({"list": [{"...": "{digest}"}]}, sdjwt.Disclosure.make("c2FsdA", "a", 1)),  # property in an array
        ({"_sd": "{digest}"}, sdjwt.Disclosure.make("c2FsdA", "a", 1)),  # `_sd` not an array
        ({"_sd": ["{digest}"], "_sd_alg": "sha-512"}, sdjwt.Disclosure.make("c2FsdA", "a", 1)),
    ],
)
def test_payloads_against_section_7_are_refused(payload: dict[str, Any], disclosure: sdjwt.Disclosure) -> None:
    text = dumps_exact(payload).decode().replace("{digest}", disclosure.digest)
    assert refusal_of(signed(json.loads(text), disclosure)) == Refusal.MALFORMED.value


@pytest.mark.parametrize("claims", [{"iss": ISSUER, "_sd": []}, {"iss": ISSUER, "a": [{"b": {"...": "x"}}]}])
def test_claims_with_reserved_names_are_not_issued(claims: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="reserved"):
        sdjwt.issue(claims, set(), KEY, kid=KID)


def test_a_disclosure_with_a_reserved_claim_name_is_refused() -> None:
    encoded = jose.b64encode(b'["c2FsdA", "_sd", 1]')
    with pytest.raises(VerificationFailed, match="not allowed"):
        sdjwt.Disclosure.parse(encoded)


def test_a_key_binding_jwt_is_refused_not_ignored() -> None:
    issued = sdjwt.issue({"iss": ISSUER, "a": 1}, {("a",)}, KEY, kid=KID)
    kb = jose.sign(KEY, {"nonce": "n"}, typ="kb+jwt")
    assert refusal_of(issued.compact() + kb) == Refusal.MALFORMED.value


def test_a_key_outside_the_issuers_document_is_refused() -> None:
    other = keys.generate()
    forged = sdjwt.issue({"iss": ISSUER, "a": 1}, {("a",)}, other, kid=f"{ISSUER}#{other.kid}")
    assert refusal_of(forged.compact()) == Refusal.UNKNOWN_KEY.value
    impostor = sdjwt.issue({"iss": ISSUER, "a": 1}, {("a",)}, other, kid=KID)
    assert refusal_of(impostor.compact()) == Refusal.BAD_SIGNATURE.value
    assert refusal_of(impostor.compact(), KEY.public_jwk()) == Refusal.BAD_SIGNATURE.value  # a JWK given directly


def test_an_unsigned_token_is_refused_before_any_key_is_looked_up() -> None:
    header = jose.b64encode(b'{"alg":"none","typ":"dc+sd-jwt"}')
    payload = jose.b64encode(dumps_exact({"iss": ISSUER}))
    assert refusal_of(f"{header}.{payload}.~") == Refusal.ALGORITHM_NOT_ALLOWED.value


def test_a_signature_spelt_with_other_padding_bits_is_refused() -> None:
    issued = sdjwt.issue({"iss": ISSUER, "a": 1}, {("a",)}, KEY, kid=KID)
    head, payload, signature = issued.jwt.split(".")
    raw = base64.urlsafe_b64decode(signature + "==")
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    twins = [
        c
        for c in alphabet
        if c != signature[-1] and base64.urlsafe_b64decode(signature[:-1] + c + "==") == raw  # same bytes
    ]
    assert twins  # an Ed25519 signature (64 bytes) leaves 4 unused bits in its last character
    tampered = sdjwt.compact(f"{head}.{payload}.{signature[:-1]}{twins[0]}", [issued.disclosures[0].disclosure.encoded])
    assert refusal_of(tampered) == Refusal.MALFORMED.value


def test_changing_any_byte_is_refused() -> None:
    claims: dict[str, Any] = {"iss": ISSUER, "n": Decimal("1.50"), "o": {"p": "x", "q": ["y", "z"]}}
    issued = sdjwt.issue(claims, {("n",), ("o", "q"), ("o", "q", 1)}, KEY, kid=KID)
    compact = issued.compact()
    assert sdjwt.verify(compact, RESOLVER).claims == claims
    positions = range(len(compact))
    for position, change in itertools.product(positions, (1, 2, 32)):
        flipped = chr(ord(compact[position]) ^ change)
        tampered = compact[:position] + flipped + compact[position + 1 :]
        with pytest.raises(VerificationFailed):
            sdjwt.verify(tampered, RESOLVER)


def test_decoys_hide_the_number_of_claims_and_change_nothing_else() -> None:
    claims: dict[str, Any] = {"iss": ISSUER, "a": 1, "b": 2}
    issued = sdjwt.issue(claims, {("a",), ("b",)}, KEY, kid=KID, decoys=3)
    _, payload = jose.peek(issued.jwt)
    assert len(payload["_sd"]) == 5
    assert sdjwt.verify(issued.compact(), RESOLVER).claims == claims


def test_salts_are_128_bit_base64url_and_never_handed_out_twice_even_across_a_fork() -> None:
    salts = [sdjwt.random_salt() for _ in range(600)]  # more than one 256-salt block
    assert len(set(salts)) == 600
    assert all(len(base64.urlsafe_b64decode(salt + "==")) == 16 for salt in salts)
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        os.write(write, "".join(sdjwt.random_salt() for _ in range(8)).encode())
        os._exit(0)
    os.close(write)
    os.waitpid(child, 0)
    with os.fdopen(read, "rb") as pipe:
        theirs = pipe.read().decode()
    ours = "".join(sdjwt.random_salt() for _ in range(8))
    assert len(theirs) == len(ours) == 8 * 22 and theirs != ours
