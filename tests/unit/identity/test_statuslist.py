"""Bitstring Status List v1.0: bit order, the encodedList form (multibase base64url of GZIP), refusals, and the
status-list credential."""

from __future__ import annotations

import base64
import gzip
from collections.abc import Callable
from dataclasses import replace

import pytest
from hypothesis import given, settings, strategies as st

from passbridge.errors import VerificationFailed
from passbridge.identity.credentials import CredentialType
from passbridge.identity.refusals import Refusal
from passbridge.identity.statuslist import (
    MAX_DECOMPRESSED_BYTES,
    MIN_BITS,
    StatusList,
    bits_of,
    status_list_credential,
)
from tests.unit.identity.conftest import ISSUER_DID, NOW, STATUS_URL, refusal_of


def test_an_empty_list_has_the_minimum_size_and_no_bit_set() -> None:
    bits = StatusList.empty()
    assert bits.size == MIN_BITS == 131_072
    assert bits.to_bytes() == bytes(16 * 1024)
    assert not any(bits.get(i) for i in (0, 1, MIN_BITS - 1))


@pytest.mark.parametrize(
    ("index", "raw"),
    [(0, b"\x80\x00"), (1, b"\x40\x00"), (7, b"\x01\x00"), (8, b"\x00\x80"), (15, b"\x00\x01")],
)
def test_index_zero_is_the_most_significant_bit_of_the_first_byte(index: int, raw: bytes) -> None:
    bits = StatusList.empty(16)
    bits.set(index)
    assert bits.to_bytes() == raw
    assert bits.get(index)


def test_a_bit_can_be_cleared_again() -> None:
    bits = StatusList.empty(16)
    bits.set(3)
    bits.set(4)
    bits.set(3, False)
    assert bits.to_bytes() == b"\x08\x00"


@pytest.mark.parametrize("index", [-1, 16])
def test_an_index_outside_the_list_is_an_error(index: int) -> None:
    with pytest.raises(IndexError):
        StatusList.empty(16).get(index)
    with pytest.raises(IndexError):
        StatusList.empty(16).set(index)


@pytest.mark.parametrize("size", [0, 12, -8])
def test_a_size_must_be_a_positive_multiple_of_eight(size: int) -> None:
    with pytest.raises(ValueError, match="multiple of 8"):
        StatusList.empty(size)


def test_encoded_list_is_multibase_base64url_of_gzip_and_deterministic() -> None:
    bits = StatusList.empty()
    bits.set(0)
    encoded = bits.encode()
    assert encoded.startswith("u")
    assert "=" not in encoded and "+" not in encoded and "/" not in encoded
    raw = base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4))
    assert gzip.decompress(raw)[:1] == b"\x80"
    assert encoded == bits.encode()
    assert len(encoded) < 200  # a sparse 16 KB list compresses well


def _b64(data: bytes, alphabet: str = "url") -> str:
    encode = base64.urlsafe_b64encode if alphabet == "url" else base64.b64encode
    return encode(data).decode()


@pytest.mark.parametrize(
    "encode",
    [
        lambda data: "u" + _b64(data).rstrip("="),  # the spec's form
        lambda data: _b64(data),  # EDC: base64url without multibase prefix
        lambda data: _b64(data, "standard"),  # EDC: plain base64
    ],
)
def test_decode_takes_the_spec_form_and_edc_un_prefixed_base64(encode: Callable[[bytes], str]) -> None:
    raw = bytes([0b10100000]) + bytes(1023) + b"\xff"
    decoded = StatusList.decode(encode(gzip.compress(raw)))
    assert decoded.to_bytes() == raw
    assert decoded.get(0) and not decoded.get(1) and decoded.get(2) and decoded.get(decoded.size - 1)


def _bomb() -> str:
    return "u" + _b64(gzip.compress(bytes(MAX_DECOMPRESSED_BYTES + 1))).rstrip("=")


@pytest.mark.parametrize(
    ("encoded", "why"),
    [
        ("z3yMApqCuCjXDWPrbjfR5mjCPTHqFG8Pux1TxQrEM35jj", "multibase"),  # base58btc: not supported
        ("u!!!not-base64", "base64url"),
        ("u" + _b64(b"plain bytes, not gzip").rstrip("="), "GZIP"),
        ("u" + _b64(gzip.compress(bytes(64))[:-6]).rstrip("="), "truncated"),
        ("u" + _b64(gzip.compress(bytes(64)) + b"junk").rstrip("="), "trailing"),
        ("u" + _b64(gzip.compress(b"")).rstrip("="), "empty"),
        ("", "non-empty"),
    ],
)
def test_decode_refuses_what_is_not_an_encoded_list(encoded: str, why: str) -> None:
    with pytest.raises(VerificationFailed) as error:
        StatusList.decode(encoded, "status list")
    assert refusal_of(error) is Refusal.STATUS_UNAVAILABLE
    assert why in error.value.detail
    assert error.value.subject == "status list"


def test_decode_stops_a_gzip_bomb_at_16_mib() -> None:
    with pytest.raises(VerificationFailed) as error:
        StatusList.decode(_bomb())
    assert refusal_of(error) is Refusal.STATUS_UNAVAILABLE
    assert "inflates beyond" in error.value.detail


@settings(max_examples=60, deadline=None)
@given(
    size_bytes=st.integers(min_value=1, max_value=512),
    picks=st.lists(st.integers(min_value=0, max_value=10**6), max_size=64),
)
def test_set_bits_survive_encode_and_decode(size_bytes: int, picks: list[int]) -> None:
    size = size_bytes * 8
    chosen = {pick % size for pick in picks}
    bits = StatusList.empty(size)
    for index in chosen:
        bits.set(index)
    decoded = StatusList.decode(bits.encode())
    assert decoded.size == size
    assert {i for i in range(size) if decoded.get(i)} == chosen


def test_status_list_credential_has_the_bitstring_status_list_shape() -> None:
    bits = StatusList.empty()
    bits.set(5)
    credential = status_list_credential(ISSUER_DID, STATUS_URL, bits, "revocation", NOW, None)
    document = credential.to_json()
    assert document["id"] == STATUS_URL
    assert document["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert document["credentialSubject"] == {
        "id": f"{STATUS_URL}#list",
        "type": "BitstringStatusList",
        "statusPurpose": "revocation",
        "encodedList": bits.encode(),
    }
    assert bits_of(credential, "revocation").get(5)


def test_bits_of_refuses_another_purpose_or_type() -> None:
    credential = status_list_credential(ISSUER_DID, STATUS_URL, StatusList.empty(8), "revocation", NOW, None)
    with pytest.raises(VerificationFailed) as error:
        bits_of(credential, "suspension")
    assert refusal_of(error) is Refusal.STATUS_UNAVAILABLE
    with pytest.raises(VerificationFailed) as error:
        bits_of(replace(credential, type=CredentialType.MEMBERSHIP.value), "revocation")
    assert refusal_of(error) is Refusal.STATUS_UNAVAILABLE


def test_a_list_may_serve_several_purposes() -> None:
    credential = status_list_credential(ISSUER_DID, STATUS_URL, StatusList.empty(8), "revocation", NOW, None)
    subject = {**credential.subject, "statusPurpose": ["revocation", "suspension"]}
    assert bits_of(replace(credential, subject=subject), "suspension").size == 8
