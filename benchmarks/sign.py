"""Passport signing benchmark: SD-JWT (RFC 9901) signings per second on one core (target ≥ 2,000/s).

    .venv/bin/python benchmarks/sign.py              # 5 rounds of 3 s, median
    .venv/bin/python benchmarks/sign.py --seconds 1  # quicker

One process, one core: `SdJwtPassportSigner.sign` (Ed25519) on `sample_passport(n)` documents already decoded (as
`PassportService` and the bulk-import workers hand them over), each a fresh document so no cache helps. Also
printed: the same with the document's exact parse (`loads_exact`) included — what a bulk-import worker pays per
line on top of validation — and the verification of the full (owner) presentation, for scale.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `python benchmarks/sign.py`

from benchmarks._common import machine, machine_line
from passbridge.identity.did import StaticDidResolver
from passbridge.identity.keys import generate
from passbridge.identity.passport_signing import SdJwtPassportSigner, verify_passport
from passbridge.jsoncodec import dumps_exact, loads_exact
from passbridge.passport.access import Role
from passbridge.passport.model import PassportId
from passbridge.passport.samples import sample_passport, sample_passport_id
from passbridge.passport.signatures import presentation

POOL = 500


def rate(work: Callable[[int], object], seconds: float) -> float:
    """Calls of `work(i)` per second over about `seconds`."""
    done, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(50):
            work(done % POOL)
            done += 1
    return done / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=3.0, help="length of one round")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print(f"machine: {machine_line(machine())}")
    signer = SdJwtPassportSigner(generate(), "did:web:127.0.0.1%3A8000")
    docs = [sample_passport(n) for n in range(1, POOL + 1)]
    raws = [dumps_exact(doc) for doc in docs]
    ids = [PassportId(sample_passport_id(n)) for n in range(1, POOL + 1)]
    now = datetime.now(UTC)
    sample = signer.sign(docs[0], ids[0], 1, now)
    full = presentation(sample, Role.OWNER)
    resolver = StaticDidResolver([signer.did_document()])
    print(
        f"one signed passport: JWT {len(sample.jwt):,} bytes, {len(sample.disclosures)} disclosures, "
        f"owner presentation {len(full):,} bytes (document {len(raws[0]):,} bytes)"
    )

    def sign(i: int) -> object:
        return signer.sign(docs[i], ids[i], 1, now)

    def parse_and_sign(i: int) -> object:
        content = loads_exact(raws[i])
        assert isinstance(content, dict)
        return signer.sign(content, ids[i], 1, now)

    def verify(_: int) -> object:
        return verify_passport(full, resolver)

    for name, work in (("sign", sign), ("parse + sign", parse_and_sign), ("verify (owner view)", verify)):
        rounds = [rate(work, args.seconds) for _ in range(args.rounds)]
        print(
            f"{name}: {statistics.median(rounds):,.0f}/s per core "
            f"(median of {args.rounds} rounds of {args.seconds:g} s; range {min(rounds):,.0f}-{max(rounds):,.0f})"
        )


if __name__ == "__main__":
    main()
