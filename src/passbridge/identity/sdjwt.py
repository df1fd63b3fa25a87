"""Selective Disclosure for JSON Web Tokens (SD-JWT, RFC 9901): issue, present, verify; no key binding.

Layout: one namespace for all of it. `issue(claims, disclosable, key)` → `IssuedSdJwt` and `present(issued, paths)`
→ compact ``<JWT>~<D1>~…~<Dn>~`` (§4) are defined in `passbridge.identity.sdjwt_issuance`; `verify(compact, keys)` →
`VerifiedSdJwt` (§7.1/§7.3 without a Key Binding JWT, with the refusals it raises) in
`passbridge.identity.sdjwt_verification`; `Disclosure` and the encoding primitives in `passbridge.identity.disclosure`.
All are re-exported here, as callers write ``sdjwt.issue`` / ``sdjwt.verify``. Defined here: `MEDIA_TYPE` and `dotted`
(a path as people write it).

Numbers stay exact: the payload and disclosures are written with `dumps_exact_fast` and read with `loads_exact`.
"""

from __future__ import annotations

from functools import lru_cache

from passbridge.identity.disclosure import (
    ARRAY_DIGEST,
    SD,
    SD_ALG,
    SD_ALG_CLAIM,
    Disclosure,
    Path,
    SaltSource,
    b64decode_strict,
    digest_of,
    random_salt,
)
from passbridge.identity.sdjwt_issuance import TYP, IssuedDisclosure, IssuedSdJwt, compact, issue, present
from passbridge.identity.sdjwt_verification import MAX_BYTES, VerifiedSdJwt, verify

MEDIA_TYPE = "application/sd-jwt"


@lru_cache(maxsize=8192)  # a node signs the same few dozen paths over and over
def dotted(path: Path) -> str:
    """``performance.rated.lifetime`` / ``items[2].name``: a path as people and `passport.access` write it."""
    text = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)
    return text[1:] if text.startswith(".") else text


__all__ = [
    "ARRAY_DIGEST",
    "MAX_BYTES",
    "MEDIA_TYPE",
    "SD",
    "SD_ALG",
    "SD_ALG_CLAIM",
    "TYP",
    "Disclosure",
    "IssuedDisclosure",
    "IssuedSdJwt",
    "Path",
    "SaltSource",
    "VerifiedSdJwt",
    "b64decode_strict",
    "compact",
    "digest_of",
    "dotted",
    "issue",
    "present",
    "random_salt",
    "verify",
]
