"""Signing keys and the node's key store (PEM files, mode 0600); the only place keys are generated or loaded.

Layout: `SigningKey` (a private key with its JWS algorithm and key id), `KeyStore` protocol, `FileKeyStore`,
`MemoryKeyStore`. Ed25519 (JWS alg ``Ed25519``, RFC 9864's fully specified name for EdDSA over Ed25519) is the
default; P-256 (``ES256``) is supported. Rotation makes a new current key and keeps the old one *retained*: it
stays in the DID document, so signatures made with it still verify, until it is retired explicitly.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from cryptography.hazmat.primitives.asymmetric.ec import ECDSA, EllipticCurvePrivateKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.hashes import SHA256
from joserfc.errors import InvalidKeyTypeError
from joserfc.jwk import ECKey, OKPKey
from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey

ED25519 = "Ed25519"
ES256 = "ES256"
ALGORITHMS = (ED25519, ES256)


@dataclass(frozen=True, slots=True)
class SigningKey:
    """A private signing key: JWS algorithm, key id (RFC 7638 thumbprint) and the key."""

    algorithm: str
    kid: str
    key: OKPKey | ECKey

    def sign(self, message: bytes) -> bytes:
        """The JWS signature of `message` (RFC 7518 §3.4 / RFC 8037 §3.1): Ed25519's 64 bytes, or ES256's R || S
        as two 32-byte big-endian integers (not DER)."""
        private = self.key.private_key
        if isinstance(private, Ed25519PrivateKey):
            return private.sign(message)
        if not isinstance(private, EllipticCurvePrivateKey):  # pragma: no cover - keys come from generate/from_pem
            raise TypeError(f"cannot sign with a {type(private).__name__}")
        r, s = decode_dss_signature(private.sign(message, ECDSA(SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")

    def public_jwk(self) -> dict[str, str]:
        """The public JWK with ``kid`` and ``alg``."""
        jwk = {k: str(v) for k, v in self.key.as_dict(private=False).items()}
        return {**jwk, "kid": self.kid, "alg": self.algorithm}


def generate(algorithm: str = ED25519) -> SigningKey:
    """A fresh key for `algorithm` (``Ed25519`` or ``ES256``).

    Raises:
        ValueError: another algorithm.
    """
    if algorithm == ED25519:
        key: OKPKey | ECKey = OKPKey.generate_key("Ed25519")
    elif algorithm == ES256:
        key = ECKey.generate_key("P-256")
    else:
        raise ValueError(f"unsupported signing algorithm {algorithm!r}; use one of {', '.join(ALGORITHMS)}")
    return SigningKey(algorithm, key.thumbprint(), key)


def from_pem(pem: bytes) -> SigningKey:
    """A key loaded from a private PEM (the algorithm follows from the key type)."""
    try:
        okp = OKPKey.import_key(pem)
        return SigningKey(ED25519, okp.thumbprint(), okp)
    except InvalidKeyTypeError:
        ec = ECKey.import_key(pem)
        return SigningKey(ES256, ec.thumbprint(), ec)


@functools.lru_cache(maxsize=4096)
def _sodium_key(public: bytes) -> VerifyKey:
    return VerifyKey(public)


def verify_ed25519(key: OKPKey, message: bytes, signature: bytes) -> bool:
    """Whether `signature` is `key`'s Ed25519 signature of `message`.

    Checked with libsodium (PyNaCl) rather than OpenSSL through `cryptography`: the same RFC 8032 verification
    (libsodium is the stricter of the two: non-canonical and small-order encodings are refused), about 1.9 times as
    fast on this kind of machine (15,700 against 8,300 verifications per second) — the floor of every presentation
    check.
    """
    raw = key.raw_value
    public = raw.public_key() if isinstance(raw, Ed25519PrivateKey) else raw
    if not isinstance(public, Ed25519PublicKey):
        return False
    try:
        _sodium_key(public.public_bytes_raw()).verify(message, signature)
    except (BadSignatureError, ValueError, TypeError):
        return False
    return True


class KeyStore(Protocol):
    """Where the node keeps its private keys."""

    def signing_key(self, name: str, algorithm: str = ED25519) -> SigningKey:
        """The current key called `name`, created with `algorithm` on first use."""

    def rotate(self, name: str, algorithm: str | None = None) -> SigningKey:
        """A new current key for `name`; the previous one becomes retained. Returns the new key."""

    def retained(self, name: str) -> list[SigningKey]:
        """Former keys of `name` still published for verification, oldest first."""

    def retire(self, name: str, kid: str) -> None:
        """Stop publishing a retained key (signatures made with it stop verifying)."""


def _write_private(path: Path, key: SigningKey) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(key.key.as_pem(private=True))


class FileKeyStore:
    """Keys as PEM files under one directory, readable by the node's user only (0600).

    ``<name>.pem`` is the current key; ``<name>.retained/<kid>.pem`` the rotated-out keys still published.
    """

    def __init__(self, directory: Path) -> None:
        self._directory = directory

    def signing_key(self, name: str, algorithm: str = ED25519) -> SigningKey:
        """Load `name`.pem, generating a key the first time."""
        path = self._directory / f"{name}.pem"
        if path.exists():
            return from_pem(path.read_bytes())
        key = generate(algorithm)
        _write_private(path, key)
        return key

    def rotate(self, name: str, algorithm: str | None = None) -> SigningKey:
        """Move the current key to the retained ones and write a new current key."""
        current = self.signing_key(name, algorithm or ED25519)
        fresh = generate(algorithm or current.algorithm)
        retained = self._directory / f"{name}.retained" / f"{current.kid}.pem"
        if not retained.exists():
            _write_private(retained, current)
        staged = self._directory / f".{name}.pem.new"
        staged.unlink(missing_ok=True)
        _write_private(staged, fresh)
        staged.replace(self._directory / f"{name}.pem")  # atomic: the node never sees no current key
        return fresh

    def retained(self, name: str) -> list[SigningKey]:
        """The retained keys, oldest file first."""
        folder = self._directory / f"{name}.retained"
        files = sorted(folder.glob("*.pem"), key=lambda p: p.stat().st_mtime_ns) if folder.exists() else []
        return [from_pem(path.read_bytes()) for path in files]

    def retire(self, name: str, kid: str) -> None:
        """Delete the retained key `kid` (KeyError if there is none)."""
        path = self._directory / f"{name}.retained" / f"{kid}.pem"
        if not path.exists():
            raise KeyError(f"no retained key {kid!r} for {name!r}")
        path.unlink()


class MemoryKeyStore:
    """Keys kept in memory (tests and throw-away nodes)."""

    def __init__(self) -> None:
        self._keys: dict[str, SigningKey] = {}
        self._retained: dict[str, list[SigningKey]] = {}

    def signing_key(self, name: str, algorithm: str = ED25519) -> SigningKey:
        """The key called `name`, generated on first use."""
        if name not in self._keys:
            self._keys[name] = generate(algorithm)
        return self._keys[name]

    def rotate(self, name: str, algorithm: str | None = None) -> SigningKey:
        """A new current key; the old one is retained."""
        current = self.signing_key(name, algorithm or ED25519)
        self._retained.setdefault(name, []).append(current)
        self._keys[name] = generate(algorithm or current.algorithm)
        return self._keys[name]

    def retained(self, name: str) -> list[SigningKey]:
        """The retained keys, oldest first."""
        return list(self._retained.get(name, []))

    def retire(self, name: str, kid: str) -> None:
        """Forget the retained key `kid` (KeyError if there is none)."""
        keys = self._retained.get(name, [])
        if not any(k.kid == kid for k in keys):
            raise KeyError(f"no retained key {kid!r} for {name!r}")
        self._retained[name] = [k for k in keys if k.kid != kid]


__all__ = [
    "ALGORITHMS",
    "ED25519",
    "ES256",
    "FileKeyStore",
    "KeyStore",
    "MemoryKeyStore",
    "SigningKey",
    "from_pem",
    "generate",
]
