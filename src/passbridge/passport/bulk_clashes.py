"""Bulk import's clash checks: whether a batch alone shows a clash (`clean`), and admitting candidates passport by
passport against what is stored (`admit_one_by_one`); both refuse for the same reasons (`_refusal`)."""

from __future__ import annotations

from collections.abc import Mapping

from passbridge.passport.lifecycle import SUCCESSOR_STATUSES
from passbridge.passport.model import PassportFacts, PassportId
from passbridge.passport.ports import UnitOfWork

Candidate = tuple[int, PassportFacts, bytes]
"""A decoded line that may be stored: its line number, facts and exact document."""

Refusal = tuple[int, str, str]
"""A refused line: its number, the JSON path and the reason."""


def clean(candidates: list[Candidate]) -> bool:
    """Whether `_refusal` accepts every candidate on what the batch alone shows (an id or battery id twice, a
    predecessor further down the batch, a successor status without a predecessor); what is stored already is left
    to the database's constraints (`add_many_if_new`)."""
    ids = {facts.passport_id for _, facts, _ in candidates}
    known = {p for _, facts, _ in candidates for p in facts.predecessors if p not in ids}  # the foreign key decides
    seen_ids: set[PassportId] = set()
    seen_batteries: set[str] = set()
    for _, facts, _ in candidates:
        if _refusal(facts, {}, {}, known, seen_ids, seen_batteries) is not None:
            return False
        seen_ids.add(facts.passport_id)
        seen_batteries.add(facts.battery_id)
        known.add(facts.passport_id)
    return True


def admit_one_by_one(
    uow: UnitOfWork, candidates: list[Candidate], refused: list[Refusal]
) -> tuple[list[Candidate], int]:
    """The candidates to store, and how many are stored already with the same bytes; each refused
    line goes to `refused`."""
    repo = uow.passports
    existing = repo.existing(facts.passport_id for _, facts, _ in candidates)
    holders = repo.battery_id_holders(facts.battery_id for _, facts, _ in candidates)
    linked = {p for _, facts, _ in candidates for p in facts.predecessors}
    known: set[PassportId] = set(repo.existing(linked)) if linked else set()
    seen_ids: set[PassportId] = set()
    seen_batteries: set[str] = set()
    accepted: list[Candidate] = []
    already = 0
    for line, facts, doc in candidates:
        pid = facts.passport_id
        if pid in existing and repo.version(pid, 1).document == doc:
            already += 1
            continue
        problem = _refusal(facts, existing, holders, known, seen_ids, seen_batteries)
        if problem is not None:
            refused.append((line, *problem))
            continue
        accepted.append((line, facts, doc))
        seen_ids.add(pid)
        seen_batteries.add(facts.battery_id)
        known.add(pid)
    return accepted, already


def _refusal(
    facts: PassportFacts,
    existing: Mapping[PassportId, object],
    holders: Mapping[str, PassportId],
    known: set[PassportId],
    seen_ids: set[PassportId],
    seen_batteries: set[str],
) -> tuple[str, str] | None:
    """None to accept, else (JSON path, reason)."""
    pid = facts.passport_id
    if pid in existing:
        return "$.metadata.passportIdentifier", f"passport {pid} already exists with other content"
    if pid in seen_ids:
        return "$.metadata.passportIdentifier", f"passport {pid} appears twice in this import"
    holder = holders.get(facts.battery_id)
    if (holder is not None and holder != pid) or facts.battery_id in seen_batteries:
        return "$.identification.idDmc", f"{facts.battery_id!r} is already used by another passport"
    missing = [p for p in facts.predecessors if p not in known]
    if missing:
        return "$.metadata.predecessor", f"predecessor passport {missing[0]} does not exist"
    if facts.status in SUCCESSOR_STATUSES and not facts.predecessors:
        return "$.metadata.predecessor", "a repurposed or remanufactured battery needs its original's passport"
    return None


__all__ = ["Candidate", "Refusal", "admit_one_by_one", "clean"]
