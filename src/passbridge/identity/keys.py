"""Signing keys and the node's key store (PEM files, mode 0600).

Layout: `SigningKey` (a private key with its JWS algorithm and key id), `KeyStore` protocol, `FileKeyStore`.
Ed25519 (JWS alg ``Ed25519``, RFC 9864's fully specified name for EdDSA over Ed25519) is the default.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from joserfc.jwk import OKPKey

ED25519 = "Ed25519"


@dataclass(frozen=True, slots=True)
class SigningKey:
    """A private signing key: JWS algorithm, key id (RFC 7638 thumbprint) and the key."""

    algorithm: str
    kid: str
    key: OKPKey

    def public_jwk(self) -> dict[str, str]:
        """The public JWK with ``kid`` and ``alg``."""
        jwk = {k: str(v) for k, v in self.key.as_dict(private=False).items()}
        return {**jwk, "kid": self.kid, "alg": self.algorithm}


class KeyStore(Protocol):
    """Where the node keeps its private keys."""

    def signing_key(self, name: str) -> SigningKey:
        """The key called `name`, created on first use."""


class FileKeyStore:
    """Keys as PEM files under one directory, readable by the node's user only (0600)."""

    def __init__(self, directory: Path) -> None:
        self._directory = directory

    def signing_key(self, name: str) -> SigningKey:
        """Load `name`.pem, generating an Ed25519 key the first time."""
        path = self._directory / f"{name}.pem"
        if path.exists():
            key = OKPKey.import_key(path.read_bytes())
        else:
            key = OKPKey.generate_key("Ed25519")
            self._directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(key.as_pem(private=True))
        return SigningKey(ED25519, key.thumbprint(), key)


class MemoryKeyStore:
    """Keys kept in memory (tests and throw-away nodes)."""

    def __init__(self) -> None:
        self._keys: dict[str, SigningKey] = {}

    def signing_key(self, name: str) -> SigningKey:
        """The key called `name`, generated on first use."""
        if name not in self._keys:
            key = OKPKey.generate_key("Ed25519")
            self._keys[name] = SigningKey(ED25519, key.thumbprint(), key)
        return self._keys[name]


__all__ = ["ED25519", "FileKeyStore", "KeyStore", "MemoryKeyStore", "SigningKey"]
