"""Credential and presentation verification, and SD-JWT passport signing (issue #4).

    .venv/bin/python benchmarks/verify.py            # 5,000 presentations, 2,000 passports (~20 s)
    .venv/bin/python benchmarks/verify.py --quick    # a smoke run

A presentation here is what a DCP verifier receives per request: one ``vp+jwt`` by the holder with two enveloped
credentials (MembershipCredential, DataExchangeGovernanceCredential) from a trusted issuer, each with a revocation
status-list entry. Every presentation is fresh (its own jti, so its signature is checked every time):

- **warm, fresh**: one `PresentationVerifier` whose caches already hold the DID documents' keys, the verified
  credentials and the status list (what a running node has after the first request of a partner); the
  presentation's own signature is checked each time;
- **warm, same presentation again**: what a verifier's presentation cache gives (Tractus-X EDC caches presentations
  per partner for the same reason): time, holder, audience, trust and revocation are re-checked, signatures not;
- **cold**: a new verifier per presentation — every signature (presentation, 2 credentials, status list), the status
  list decode and the trust decision done from scratch.

Both on one core (this process), with the in-memory DID resolver and status source, so the figures are the
verification itself. For reference in the same run: raw Ed25519 verifications per second with OpenSSL
(`cryptography`) and with libsodium (PyNaCl, what `keys.verify_ed25519` uses): one of them is the floor of a fresh
presentation, four of a from-scratch check. Then SD-JWT signing of sample passports (target ≥ 2,000 / s per core).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `python benchmarks/verify.py`

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from joserfc.jwk import OKPKey

from benchmarks._common import machine, machine_line
from passbridge.identity import keys
from passbridge.identity.credentials import Credential, StatusEntry, issue_credential
from passbridge.identity.did import StaticDidResolver, build_document
from passbridge.identity.presentations import issue_presentation
from passbridge.identity.statuslist import MIN_BITS, StatusList, status_list_credential
from passbridge.identity.trust import TrustedIssuer, TrustList
from passbridge.identity.verifier import PresentationVerifier

NOW = datetime.now(UTC).replace(microsecond=0)
ISSUER, HOLDER, VERIFIER = "did:web:issuer.example", "did:web:holder.example", "did:web:verifier.example"
STATUS_URL = "https://issuer.example/authority/status-lists/revocation-1"
CLAIMS: dict[str, dict[str, str]] = {
    "MembershipCredential": {"holderIdentifier": "BPNL000000000001", "memberOf": "Catena-X"},
    "DataExchangeGovernanceCredential": {
        "holderIdentifier": "BPNL000000000001",
        "group": "UseCaseFramework",
        "useCase": "DataExchangeGovernance",
        "contractTemplate": "https://catena-x.net/en/catena-x-introduce-implement/governance-framework-for-data-space-operations",
        "contractVersion": "1.0",
    },
}


class Trust:
    def __init__(self, trust_list: TrustList) -> None:
        self.trust_list = trust_list

    def current(self) -> TrustList:
        return self.trust_list


class Status:
    def __init__(self, token: str) -> None:
        self.token = token

    def fetch(self, url: str) -> str:
        return self.token


def world(algorithm: str) -> tuple[StaticDidResolver, Trust, Status, list[str], keys.SigningKey]:
    issuer_key, holder_key = keys.generate(algorithm), keys.generate(algorithm)
    resolver = StaticDidResolver([build_document(ISSUER, [issuer_key]), build_document(HOLDER, [holder_key])])
    issuer_kid = f"{ISSUER}#{issuer_key.kid}"
    credentials = [
        issue_credential(
            Credential(
                f"urn:uuid:{index}",
                kind,
                ISSUER,
                {"id": HOLDER, **claims},
                NOW - timedelta(days=1),
                NOW + timedelta(days=365),
                StatusEntry(STATUS_URL, 7 + index),
            ),
            issuer_key,
            issuer_kid,
        )
        for index, (kind, claims) in enumerate(CLAIMS.items())
    ]
    bits = StatusList.empty(MIN_BITS)
    bits.set(3)
    status = issue_credential(
        status_list_credential(
            ISSUER, STATUS_URL, bits, "revocation", NOW - timedelta(hours=1), NOW + timedelta(days=1)
        ),
        issuer_key,
        issuer_kid,
    )
    trust = TrustList(
        ISSUER, "catena-x", 1, NOW, NOW + timedelta(days=30), (TrustedIssuer(ISSUER, frozenset(CLAIMS)),), ()
    )
    return resolver, Trust(trust), Status(status), credentials, holder_key


def presentations(credentials: list[str], holder_key: keys.SigningKey, count: int) -> list[str]:
    kid = f"{HOLDER}#{holder_key.kid}"
    return [issue_presentation(HOLDER, holder_key, kid, credentials, VERIFIER, NOW) for _ in range(count)]


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:>9,.0f} / s  ({seconds / count * 1e6:,.0f} µs each)"


def verify_run(algorithm: str, count: int) -> dict[str, float]:
    resolver, trust, status, credentials, holder_key = world(algorithm)
    tokens = presentations(credentials, holder_key, count + 1)
    wanted = list(CLAIMS)
    warm = PresentationVerifier(resolver, trust, status)
    warm.verify_presentation(tokens[0], holder=HOLDER, audience=VERIFIER, wanted=wanted, purpose="dataspace", now=NOW)
    started = time.perf_counter()
    for token in tokens[1:]:
        warm.verify_presentation(token, holder=HOLDER, audience=VERIFIER, wanted=wanted, purpose="dataspace", now=NOW)
    warm_seconds = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(count):
        warm.verify_presentation(
            tokens[1], holder=HOLDER, audience=VERIFIER, wanted=wanted, purpose="dataspace", now=NOW
        )
    repeat_seconds = time.perf_counter() - started
    cold_count = max(count // 10, 50)
    started = time.perf_counter()
    for token in tokens[1 : cold_count + 1]:
        PresentationVerifier(resolver, trust, status).verify_presentation(
            token, holder=HOLDER, audience=VERIFIER, wanted=wanted, purpose="dataspace", now=NOW
        )
    cold_seconds = time.perf_counter() - started
    print(f"  {algorithm:8} warm, fresh presentation each time      {rate(count, warm_seconds)}")
    print(f"  {algorithm:8} warm, same presentation again (VP cache) {rate(count, repeat_seconds)}")
    print(f"  {algorithm:8} cold, nothing cached                     {rate(cold_count, cold_seconds)}")
    return {
        f"{algorithm}_warm_per_s": count / warm_seconds,
        f"{algorithm}_repeat_per_s": count / repeat_seconds,
        f"{algorithm}_cold_per_s": cold_count / cold_seconds,
    }


def raw_ed25519(count: int) -> float:
    key = Ed25519PrivateKey.generate()
    message = b"x" * 400
    signature = key.sign(message)
    public = key.public_key()
    started = time.perf_counter()
    for _ in range(count):
        public.verify(signature, message)
    seconds = time.perf_counter() - started
    print(f"  raw Ed25519 verify, OpenSSL (cryptography)  {rate(count, seconds)}")
    wrapped = keys.generate(keys.ED25519)
    assert isinstance(wrapped.key.raw_value, Ed25519PrivateKey) and isinstance(wrapped.key, OKPKey)
    signature = wrapped.key.raw_value.sign(message)
    started = time.perf_counter()
    for _ in range(count):
        keys.verify_ed25519(wrapped.key, message, signature)
    sodium = time.perf_counter() - started
    print(f"  raw Ed25519 verify, libsodium (what passbridge uses)  {rate(count, sodium)}")
    return count / sodium


def signing_run(count: int) -> float:
    from passbridge.identity.passport_signing import SdJwtPassportSigner
    from passbridge.passport.model import PassportId
    from passbridge.passport.samples import sample_passport

    key = keys.generate()
    signer = SdJwtPassportSigner(key, "did:web:oem.example")
    documents = [sample_passport(n) for n in range(count)]
    ids = [PassportId.parse(doc["metadata"]["passportIdentifier"]) for doc in documents]
    started = time.perf_counter()
    for doc, passport_id in zip(documents, ids, strict=True):
        signer.sign(doc, passport_id, 1, NOW)
    seconds = time.perf_counter() - started
    print(f"  SD-JWT passport signing (Ed25519, every non-public field disclosable)  {rate(count, seconds)}")
    return count / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smoke run")
    parser.add_argument("--count", type=int, default=None, help="presentations per run (default 5000; quick 300)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures as JSON")
    options = parser.parse_args()
    count = options.count or (300 if options.quick else 5000)
    print(f"verify benchmark on {machine_line(machine())}")
    print("presentation verification (1 presentation, 2 credentials, status list), one core:")
    figures: dict[str, Any] = {}
    for algorithm in (keys.ED25519, keys.ES256):
        figures |= verify_run(algorithm, count)
    figures["raw_ed25519_verify_per_s"] = raw_ed25519(count * 4)
    print("signing:")
    figures["sdjwt_sign_per_s"] = signing_run(max(count // 2, 100))
    for name, figure, goal in (
        ("warm verification, fresh presentation", figures["Ed25519_warm_per_s"], 5000),
        ("warm verification, cached presentation", figures["Ed25519_repeat_per_s"], 5000),
        ("SD-JWT passport signing", figures["sdjwt_sign_per_s"], 2000),
    ):
        print(f"target {name} ≥ {goal:,} / s per core: {'met' if figure >= goal else 'NOT met'} ({figure:,.0f})")
    if options.json:
        options.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
