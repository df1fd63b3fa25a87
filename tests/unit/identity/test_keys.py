"""Key generation, PEM round trips, rotation, and the libsodium Ed25519 check agreeing with OpenSSL's."""

from __future__ import annotations

from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings, strategies as st
from joserfc.jwk import OKPKey

from passbridge.identity import keys


def _ed25519() -> tuple[OKPKey, Ed25519PrivateKey]:
    key = keys.generate(keys.ED25519).key
    assert isinstance(key, OKPKey) and isinstance(key.raw_value, Ed25519PrivateKey)
    return key, key.raw_value


def _openssl_verifies(private: Ed25519PrivateKey, message: bytes, signature: bytes) -> bool:
    try:
        private.public_key().verify(signature, message)
    except InvalidSignature:
        return False
    return True


@settings(max_examples=60, deadline=None)
@given(message=st.binary(max_size=512), flip=st.integers(min_value=0, max_value=64 * 8 - 1))
def test_libsodium_and_openssl_agree_on_ed25519_signatures(message: bytes, flip: int) -> None:
    key, private = _ed25519()
    signature = private.sign(message)
    assert keys.verify_ed25519(key, message, signature) is True is _openssl_verifies(private, message, signature)
    broken = bytearray(signature)
    broken[flip // 8] ^= 1 << (flip % 8)
    assert keys.verify_ed25519(key, message, bytes(broken)) is False
    assert keys.verify_ed25519(key, message + b"x", signature) is False
    assert keys.verify_ed25519(key, message, signature[:63]) is False  # wrong length: refused, not an error


def test_pem_round_trip_keeps_algorithm_and_kid(tmp_path: Path) -> None:
    store = keys.FileKeyStore(tmp_path)
    for name, algorithm in (("a", keys.ED25519), ("b", keys.ES256)):
        created = store.signing_key(name, algorithm)
        loaded = keys.FileKeyStore(tmp_path).signing_key(name)
        assert (loaded.algorithm, loaded.kid) == (created.algorithm, created.kid) == (algorithm, created.kid)
        assert (tmp_path / f"{name}.pem").stat().st_mode & 0o777 == 0o600


def test_rotation_retains_and_retires(tmp_path: Path) -> None:
    for store in (keys.FileKeyStore(tmp_path), keys.MemoryKeyStore()):
        first = store.signing_key("node")
        second = store.rotate("node")
        assert store.signing_key("node").kid == second.kid != first.kid
        assert [k.kid for k in store.retained("node")] == [first.kid]
        store.retire("node", first.kid)
        assert store.retained("node") == []
