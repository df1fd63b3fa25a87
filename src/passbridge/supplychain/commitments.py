"""What every roll-up was computed from, recorded so that an auditor can re-check it later.

Layout: `RollupInputs` (the node's own inputs below a part and the trades whose answers were used),
`inputs_for`, `AnswerRef` and `answer_digest`, `commit` (salted SHA-256 over the own inputs), `RollupRecord` and
`record_rollup`, `Verification` and `verify`, `new_salt`.

Why salted: the record (and its commitment) may be shown to people who must not learn our inputs — amounts,
emission factors — and those come from small ranges that an unsalted hash would let anyone try one by one. The salt
stays with the node and is handed to an auditor with the inputs. Answers are hashed unsalted: the supplier who sent
one can check that the digest is of what it sent.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from typing import Final

from passbridge.errors import InvalidInput, PassbridgeError
from passbridge.supplychain.answers import SupplierAnswer
from passbridge.supplychain.canonical import canonical_bytes, sha256_hex
from passbridge.supplychain.footprints import MaterialContent, OwnFootprint
from passbridge.supplychain.graph import SupplyGraph
from passbridge.supplychain.model import BomLine, Part
from passbridge.supplychain.rollups import PartRollup, roll_up
from passbridge.supplychain.trades import Trade

SCHEME: Final = b"passbridge/supplychain/commitment/v1"
"""Domain tag hashed first, so a commitment can never equal a hash made for another purpose."""
MIN_SALT_BYTES: Final = 16


@dataclass(frozen=True, slots=True)
class RollupInputs:
    """Everything one roll-up of a part used, as given to the node.

    Attributes:
        trace_id: the part rolled up.
        parts: it and every part below it.
        bom_lines: the lines among them.
        footprints: their own footprints.
        materials: their own material contents.
        trades: the active trades of the parts below, with the answers used.
    """

    trace_id: uuid.UUID
    parts: tuple[Part, ...]
    bom_lines: tuple[BomLine, ...]
    footprints: tuple[OwnFootprint, ...]
    materials: tuple[MaterialContent, ...]
    trades: tuple[Trade, ...]

    def graph(self) -> SupplyGraph:
        """The supply graph these inputs make.

        Raises:
            InvalidInput: as `SupplyGraph.build`.
        """
        return SupplyGraph.build(self.parts, self.bom_lines, self.trades, self.footprints, self.materials)


def inputs_for(graph: SupplyGraph, trace_id: uuid.UUID) -> RollupInputs:
    """The inputs a roll-up of `trace_id` uses: the part, everything below it, and the trades of those parts.

    Raises:
        PartNotFound: if `trace_id` is not in the graph.
    """
    below = graph.upstream(trace_id)
    inside = set(below)
    return RollupInputs(
        trace_id=trace_id,
        parts=tuple(graph.parts[p] for p in below),
        bom_lines=tuple(edge.line for p in below for edge in graph.children.get(p, ())),
        footprints=tuple(f for f in graph.inputs.footprints if f.trace_id in inside),
        materials=tuple(m for m in graph.inputs.materials if m.trace_id in inside),
        trades=tuple(graph.trades[p] for p in below if p in graph.trades),
    )


@dataclass(frozen=True, slots=True)
class AnswerRef:
    """An answer a roll-up used, by id and by the SHA-256 of its canonical encoding."""

    answer_id: uuid.UUID
    trade_id: uuid.UUID
    sha256: str


def answer_digest(answer: SupplierAnswer) -> str:
    """SHA-256 (hex) of the canonical encoding of `answer`, exactly as received."""
    return sha256_hex(answer)


def _answer_refs(inputs: RollupInputs) -> tuple[AnswerRef, ...]:
    refs = (AnswerRef(t.answer.answer_id, t.trade_id, answer_digest(t.answer)) for t in inputs.trades if t.answer)
    return tuple(sorted(refs, key=lambda r: (str(r.trade_id), str(r.answer_id))))


def _check_salt(salt: bytes) -> None:
    if not isinstance(salt, bytes) or not MIN_SALT_BYTES <= len(salt) <= 255:
        raise InvalidInput.at("salt", f"must be {MIN_SALT_BYTES}-255 random bytes", "passbridge commitments")


def commit(inputs: RollupInputs, salt: bytes) -> str:
    """Salted SHA-256 (hex) over the own inputs of a roll-up; answers enter by id only (they have their own hash).

    Raises:
        InvalidInput: naming ``salt`` if it is shorter than 16 bytes (or longer than 255).
    """
    _check_salt(salt)
    own = {
        "traceId": inputs.trace_id,
        "parts": inputs.parts,
        "bomLines": inputs.bom_lines,
        "footprints": inputs.footprints,
        "materials": inputs.materials,
        "trades": tuple(
            {
                "tradeId": t.trade_id,
                "downstreamTraceId": t.downstream_trace_id,
                "upstreamOperator": t.upstream_operator,
                "upstreamTraceId": t.upstream_trace_id,
                "status": t.status,
                "answerId": t.answer.answer_id if t.answer else None,
            }
            for t in inputs.trades
        ),
    }
    return hashlib.sha256(SCHEME + bytes([len(salt)]) + salt + canonical_bytes(own)).hexdigest()


@dataclass(frozen=True, slots=True)
class RollupRecord:
    """What a roll-up was computed from and what it gave.

    Attributes:
        trace_id: the part.
        answers: the answers used.
        commitment: `commit` of the own inputs.
        result_sha256: SHA-256 of the canonical roll-up (every figure and contribution).
    """

    trace_id: uuid.UUID
    answers: tuple[AnswerRef, ...]
    commitment: str
    result_sha256: str


@dataclass(frozen=True, slots=True)
class RecordedRollup:
    """A roll-up with its record and the inputs to keep for audits."""

    rollup: PartRollup
    record: RollupRecord
    inputs: RollupInputs


def record_rollup(graph: SupplyGraph, trace_id: uuid.UUID, salt: bytes) -> RecordedRollup:
    """Roll `trace_id` up and record what it was computed from.

    Raises:
        PartNotFound: if `trace_id` is not in the graph.
        MissingFigures: if a purchased part below has no (released) answer.
        InvalidInput: naming ``salt`` if it is too short.
    """
    inputs = inputs_for(graph, trace_id)
    rollup = roll_up(graph, trace_id)
    record = RollupRecord(trace_id, _answer_refs(inputs), commit(inputs, salt), sha256_hex(rollup))
    return RecordedRollup(rollup, record, inputs)


@dataclass(frozen=True, slots=True)
class Verification:
    """The outcome of an audit: `ok`, or the reasons it failed."""

    ok: bool
    reasons: tuple[str, ...]


def _answer_reasons(record: RollupRecord, inputs: RollupInputs) -> list[str]:
    recorded = {(r.trade_id, r.answer_id): r.sha256 for r in record.answers}
    given = {(r.trade_id, r.answer_id): r.sha256 for r in _answer_refs(inputs)}
    reasons = [f"answer {a} (trade {t}) was used but is not in the inputs" for t, a in recorded.keys() - given.keys()]
    reasons += [f"answer {a} (trade {t}) is in the inputs but was not used" for t, a in given.keys() - recorded.keys()]
    for key in recorded.keys() & given.keys():
        if not hmac.compare_digest(recorded[key], given[key]):
            reasons.append(f"answer {key[1]} (trade {key[0]}) differs from the one used: SHA-256 {given[key]}")
    return sorted(reasons)


def verify(record: RollupRecord, inputs: RollupInputs, salt: bytes) -> Verification:
    """Re-check a roll-up: the answers by hash, the own inputs against the commitment, the figures by recomputing.

    Raises:
        InvalidInput: naming ``salt`` if it is too short.
    """
    _check_salt(salt)
    reasons: list[str] = []
    if inputs.trace_id != record.trace_id:
        reasons.append(f"the inputs are for part {inputs.trace_id}, the record for {record.trace_id}")
    reasons += _answer_reasons(record, inputs)
    if not hmac.compare_digest(commit(inputs, salt), record.commitment):
        reasons.append("the own inputs (or the salt) do not match the commitment")
    try:
        result = sha256_hex(roll_up(inputs.graph(), record.trace_id))
    except PassbridgeError as error:
        reasons.append(f"the roll-up cannot be recomputed from the inputs: {error}")
    else:
        if not hmac.compare_digest(result, record.result_sha256):
            reasons.append("the recomputed figures differ from the recorded ones")
    return Verification(not reasons, tuple(reasons))


def new_salt() -> bytes:
    """32 random bytes for `commit`."""
    return secrets.token_bytes(32)


__all__ = [
    "MIN_SALT_BYTES",
    "SCHEME",
    "AnswerRef",
    "RecordedRollup",
    "RollupInputs",
    "RollupRecord",
    "Verification",
    "answer_digest",
    "commit",
    "inputs_for",
    "new_salt",
    "record_rollup",
    "verify",
]
