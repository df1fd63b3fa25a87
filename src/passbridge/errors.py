"""The one error tree of passbridge. Only `api/problems.py` maps it to HTTP; the CLI maps it to exit codes.

```
PassbridgeError
├── InvalidInput                 the caller sent something we refuse; carries Violations (JSON path + rule)
│   ├── MalformedJson            the body is not JSON at all
│   ├── PassportRuleViolation    a rule of Reg. (EU) 2023/1542 or BatteryPass 6.1.0 beyond the schema
│   ├── UnsupportedFormat        an export/import format we do not speak
│   ├── PayloadTooLarge          a body over the size limit
│   ├── UnitMismatch             a quantity used where another unit is declared, with no exact conversion (names both)
│   │   └── InexactConversion    a documented conversion whose result has no finite decimal (MJ → kWh ÷ 3.6)
│   ├── CycleDetected            a bill of materials that loops back on itself (carries the path of the cycle)
│   ├── OuranosRangeExceeded     a value outside the Ouranos number range (|x| ≤ 99999.99999)
│   └── ProtocolError            a Dataspace Protocol message that breaks its schema or protocol rule (names the field)
│       └── PolicyMismatch       an offer or agreement whose policy differs from the one it must equal (keeps both)
├── Unauthenticated              a credential (bearer token) that does not verify
│   └── VerificationFailed       a token, credential, presentation, trust list or signed passport refused, with a
│                                Refusal code (identity/refusals.py) and the evidence
├── Forbidden                    an authenticated caller without the right for this action
│   ├── DisclosureRefused        an answer asked for under a disclosure ACL that does not cover that part
│   └── PolicyDenied             an ODRL policy the counterparty does not satisfy (keeps the policy id and reasons)
├── NotFound
│   ├── PassportNotFound
│   │   └── PassportNotSigned    a version not signed yet has no SD-JWT form
│   ├── PartNotFound             no part with this traceId in the supply graph
│   └── UnknownProcess           no negotiation / transfer with this pid for this counterparty (DSP answers 404)
├── Conflict
│   ├── DuplicateIdentifier      an identifier that must be unique already exists (names the field)
│   │   └── DuplicatePassport    a passport identifier that already exists
│   ├── IllegalTransition        a lifecycle move the state machine does not allow (names both states)
│   │   ├── IllegalTradeTransition  a trade action its request status does not allow (names trade and status)
│   │   └── IllegalMessage       a DSP message its negotiation / transfer state does not allow (DSP answers 400)
│   └── MissingFigures           a roll-up needs a supplier figure that is not there (names part and trade)
├── CounterpartyError            a DSP provider refused, failed or did not answer in time (names the step)
└── ConfigurationError           a setting that is missing or wrong (raised at startup, names the key)
```
Errors keep their evidence (paths, states, rules) as attributes so callers never parse messages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Violation:
    """One reason input was refused.

    Attributes:
        path: JSONPath of the offending field (``$.operation.intoServiceDate``), or ``$`` for the whole document.
        message: what is wrong, in words.
        rule: the rule enforced, e.g. ``"BatteryPass 6.1.0 schema"`` or ``"Reg. (EU) 2023/1542 Art. 77(7)"``.
    """

    path: str
    message: str
    rule: str = "schema"


class PassbridgeError(Exception):
    """Root of every error passbridge raises on purpose."""


class InvalidInput(PassbridgeError):
    """Input that is refused; nothing was stored."""

    def __init__(self, violations: Sequence[Violation]) -> None:
        if not violations:
            raise ValueError("InvalidInput needs at least one violation")
        self.violations = tuple(violations)
        first = self.violations[0]
        more = f" (and {len(self.violations) - 1} more)" if len(self.violations) > 1 else ""
        super().__init__(f"{first.path}: {first.message}{more}")

    @classmethod
    def at(cls, path: str, message: str, rule: str = "schema") -> InvalidInput:
        """An error with a single violation."""
        return cls([Violation(path, message, rule)])


class MalformedJson(InvalidInput):
    """Bytes that do not parse as JSON (or nest beyond what any parser here accepts)."""


class PassportRuleViolation(InvalidInput):
    """A passport breaks a rule that the JSON schema cannot express (dates, links, uniqueness, lifecycle)."""


class UnsupportedFormat(InvalidInput):
    """An import or export format passbridge does not implement."""

    def __init__(self, name: str, supported: Sequence[str], path: str = "format") -> None:
        self.format_name = name
        self.supported = tuple(supported)
        super().__init__([Violation(path, f"unsupported format {name!r}; use one of {', '.join(supported)}")])


class PayloadTooLarge(InvalidInput):
    """A request body above the configured limit."""

    def __init__(self, size: int, limit: int) -> None:
        self.size, self.limit = size, limit
        super().__init__([Violation("$", f"body of {size} bytes exceeds the limit of {limit} bytes")])


class Unauthenticated(PassbridgeError):
    """A presented credential could not be verified (bad signature, expired, wrong audience)."""


class VerificationFailed(Unauthenticated):
    """A signed object was refused. `refusal` is a stable code (`passbridge.identity.refusals.Refusal` value, e.g.
    ``"expired"``, ``"issuer-not-trusted"``); `subject` names what was checked (``"credential 2"``, ``"SI token"``).
    """

    def __init__(self, refusal: str, detail: str, subject: str = "") -> None:
        self.refusal, self.detail, self.subject = refusal, detail, subject
        super().__init__(f"{subject + ': ' if subject else ''}{refusal}: {detail}")


class Forbidden(PassbridgeError):
    """The caller is known but may not do this."""


class NotFound(PassbridgeError):
    """The addressed resource does not exist."""


class PassportNotFound(NotFound):
    """No passport with this identifier (or no such version)."""

    def __init__(self, passport_id: str, version: int | None = None) -> None:
        self.passport_id, self.version = passport_id, version
        what = f"passport {passport_id}" + (f" version {version}" if version is not None else "")
        super().__init__(f"{what} does not exist")


class PassportNotSigned(PassportNotFound):
    """A version not signed yet (stored before this node signed passports, or imported with ``--no-sign``): it has no
    SD-JWT (``?format=sd-jwt``) form until ``passbridge passport sign`` signs it."""

    def __init__(self, passport_id: str, version: int) -> None:
        self.passport_id, self.version = passport_id, version
        NotFound.__init__(
            self,
            f"passport {passport_id} version {version} is not signed yet, so it has no SD-JWT form "
            "(`passbridge passport sign` signs the stored versions that are not)",
        )


class Conflict(PassbridgeError):
    """The request contradicts the current state."""


class DuplicateIdentifier(Conflict):
    """An identifier that must be unique is already taken."""

    def __init__(self, path: str, value: str, message: str | None = None) -> None:
        self.path, self.value = path, value
        super().__init__(message or f"{path}: {value!r} is already used by another passport")


class DuplicatePassport(DuplicateIdentifier):
    """A passport with this identifier already exists."""

    def __init__(self, passport_id: str) -> None:
        self.passport_id = passport_id
        super().__init__(
            "$.metadata.passportIdentifier", passport_id, f"passport {passport_id} already exists; PUT adds a version"
        )


class IllegalTransition(Conflict):
    """A lifecycle status change the Art. 77 state machine does not allow."""

    def __init__(self, machine: str, current: str, requested: str, allowed: Sequence[str]) -> None:
        self.machine, self.current, self.requested, self.allowed = machine, current, requested, tuple(allowed)
        options = ", ".join(allowed) if allowed else "none (final state)"
        super().__init__(f"{machine}: cannot go from {current!r} to {requested!r}; allowed from {current!r}: {options}")


class ConfigurationError(PassbridgeError):
    """A setting is missing or wrong; the message names the setting."""


class ImportAborted(PassbridgeError):
    """A bulk import stopped a batch from committing: an earlier batch of the same run failed, and committing a
    later one would move the resume checkpoint past the lines that were not stored."""


class MaintenanceFailed(PassbridgeError):
    """A database upkeep task (`passbridge db vacuum`) could not run, e.g. the database is busy or the disk is full;
    the database is as it was."""


class UnitMismatch(InvalidInput):
    """A quantity in one unit used where another unit is declared, and no exact documented conversion exists.

    Attributes:
        from_unit: the unit the value is stated in.
        to_unit: the unit it was needed in.
    """

    def __init__(self, path: str, from_unit: str, to_unit: str, message: str | None = None) -> None:
        self.from_unit, self.to_unit = from_unit, to_unit
        text = message or f"{from_unit!r} cannot be used as {to_unit!r}: no exact conversion between them"
        super().__init__([Violation(path, text, "Ouranos openapi #6 (no unit conversion) / passbridge units")])


class InexactConversion(UnitMismatch):
    """A documented conversion (MJ → kWh is ÷ 3.6) whose result for this value has no finite decimal expansion.

    Attributes:
        value: the value (as text) that could not be converted exactly.
    """

    def __init__(self, path: str, value: str, from_unit: str, to_unit: str) -> None:
        self.value = value
        super().__init__(
            path,
            from_unit,
            to_unit,
            f"{value} {from_unit} has no exact decimal value in {to_unit}; state it in {to_unit}",
        )


class CycleDetected(InvalidInput):
    """A bill of materials in which a part (indirectly) contains itself.

    Attributes:
        cycle: the traceIds along the cycle, first and last equal (``A, B, C, A``).
        names: the partsName of each step, for people.
    """

    def __init__(self, cycle: Sequence[str], names: Sequence[str]) -> None:
        self.cycle, self.names = tuple(cycle), tuple(names)
        super().__init__([Violation("bomLines", "cycle in the bill of materials: " + " → ".join(names), "DAG")])


class OuranosRangeExceeded(InvalidInput):
    """A number outside what Ouranos accepts (5 decimals, absolute value at most 99999.99999).

    Attributes:
        value: the offending value, as text.
    """

    def __init__(self, path: str, value: str) -> None:
        self.value = value
        super().__init__([Violation(path, f"{value} is outside ±99999.99999", "Ouranos openapi #15 (maximum)")])


class DisclosureRefused(Forbidden):
    """An answer was asked for under an ACL that does not cover the part (or partner) in question."""

    def __init__(self, trace_id: str, acl_trace_id: str, partner: str) -> None:
        self.trace_id, self.acl_trace_id, self.partner = trace_id, acl_trace_id, partner
        super().__init__(f"the disclosure ACL for {partner} covers part {acl_trace_id}, not part {trace_id}")


class PartNotFound(NotFound):
    """No part with this traceId in the supply graph."""

    def __init__(self, trace_id: str) -> None:
        self.trace_id = trace_id
        super().__init__(f"part {trace_id} is not in the supply graph")


class IllegalTradeTransition(IllegalTransition):
    """A trade action that the Ouranos request status life cycle does not allow (answering twice, answering a
    cancelled request, …).

    Attributes:
        trade_id: the trade.
        action: the refused action (also in `requested`).
    """

    def __init__(self, trade_id: str, current: str, action: str, allowed: Sequence[str]) -> None:
        self.trade_id, self.action = trade_id, action
        self.machine, self.current, self.requested, self.allowed = "trade", current, action, tuple(allowed)
        options = ", ".join(allowed) if allowed else "none (final status)"
        Conflict.__init__(
            self, f"trade {trade_id}: cannot {action} a request in status {current}; allowed in {current}: {options}"
        )


class MissingFigures(Conflict):
    """A roll-up needs figures from a supplier that are not there: no trade, no answer yet, or withheld by its ACL.

    Attributes:
        trace_id: the part whose figures are missing.
        what: which figures (``"CFP"``, ``"material content"``).
        reason: why they are missing (no trade, not answered yet, withheld).
        trade_id: the trade that should bring them, if there is one.
    """

    def __init__(self, trace_id: str, what: str, reason: str, trade_id: str | None = None) -> None:
        self.trace_id, self.what, self.reason, self.trade_id = trace_id, what, reason, trade_id
        via = f" (trade {trade_id})" if trade_id else ""
        super().__init__(f"part {trace_id}: {what} missing{via}: {reason}")


class ProtocolError(InvalidInput):
    """A Dataspace Protocol message refused before it touches any state: wrong ``@type`` or ``@context``, a missing or
    ill-typed field, or a protocol rule broken (each `Violation` names the field, e.g. ``$.consumerPid``, and the
    rule, e.g. ``"DSP 2025-1 ContractRequestMessage schema"``)."""


class PolicyMismatch(ProtocolError):
    """A policy that must equal another does not: a requested offer that differs from the catalog's, or an agreement
    that differs from the last offer (EDC's ``PolicyEquality``).

    Attributes:
        expected: the policy it had to equal (a `passbridge.dataspace.odrl.Policy`).
        received: the policy received.
    """

    def __init__(self, path: str, message: str, expected: object, received: object, rule: str) -> None:
        self.expected, self.received = expected, received
        super().__init__([Violation(path, message, rule)])


class PolicyDenied(Forbidden):
    """The counterparty does not satisfy an ODRL policy (access policy at catalog time, contract policy at
    negotiation and transfer).

    Attributes:
        policy_id: the policy's ``@id`` (or a label when it has none).
        reasons: one reason per failed constraint or rule (`passbridge.dataspace.odrl.Decision.reasons`).
    """

    def __init__(self, policy_id: str, reasons: Sequence[str]) -> None:
        self.policy_id, self.reasons = policy_id, tuple(reasons)
        super().__init__(f"policy {policy_id} denied: {'; '.join(self.reasons) or 'no reason given'}")


class UnknownProcess(NotFound):
    """No contract negotiation or transfer process with this pid, or one that belongs to another counterparty (DSP
    answers both with 404, so a caller cannot probe other parties' process ids).

    Attributes:
        process: ``"negotiation"`` or ``"transfer"``.
        pid: the pid asked for.
    """

    def __init__(self, process: str, pid: str) -> None:
        self.process, self.pid = process, pid
        super().__init__(f"no {process} {pid!r} for this counterparty")


class IllegalMessage(IllegalTransition):
    """A DSP message that the negotiation or transfer state machine does not allow in its current state, or not
    from this sender (DSP 2025-1 state machines; answered with 400 and a ContractNegotiationError / TransferError).

    Attributes:
        message_type: the refused message's ``@type`` (with the event type for events).
        sender: ``"consumer"`` or ``"provider"``.
    """

    def __init__(self, machine: str, current: str, message_type: str, sender: str, allowed: Sequence[str]) -> None:
        self.message_type, self.sender = message_type, sender
        self.machine, self.current, self.requested, self.allowed = machine, current, message_type, tuple(allowed)
        options = ", ".join(allowed) if allowed else "none (final state)"
        Conflict.__init__(
            self,
            f"{machine}: {message_type} from the {sender} is not allowed in state {current}; allowed: {options}",
        )


class CounterpartyError(PassbridgeError):
    """Another party did not do its part: a DSP provider refused a request, answered garbage, could not be reached,
    or a callback did not arrive in time (the consumer side of DSP; the API answers 502).

    Attributes:
        step: the step that failed (``discovery``, ``catalog``, ``negotiation``, ``transfer``, ``data``).
        status: the HTTP status the counterparty answered, if it answered.
        reasons: what it said (the ``reason`` of a DSP error), or why it failed.
    """

    def __init__(self, step: str, detail: str, status: int | None = None, reasons: Sequence[str] = ()) -> None:
        self.step, self.status, self.reasons = step, status, tuple(reasons)
        said = f" ({'; '.join(self.reasons)})" if self.reasons else ""
        super().__init__(f"{step}: {detail}{said}")


__all__ = [
    "ConfigurationError",
    "Conflict",
    "CounterpartyError",
    "CycleDetected",
    "DisclosureRefused",
    "DuplicateIdentifier",
    "DuplicatePassport",
    "Forbidden",
    "IllegalMessage",
    "IllegalTradeTransition",
    "IllegalTransition",
    "ImportAborted",
    "InexactConversion",
    "InvalidInput",
    "MaintenanceFailed",
    "MalformedJson",
    "MissingFigures",
    "NotFound",
    "OuranosRangeExceeded",
    "PartNotFound",
    "PassbridgeError",
    "PassportNotFound",
    "PassportNotSigned",
    "PassportRuleViolation",
    "PayloadTooLarge",
    "PolicyDenied",
    "PolicyMismatch",
    "ProtocolError",
    "Unauthenticated",
    "UnitMismatch",
    "UnknownProcess",
    "UnsupportedFormat",
    "VerificationFailed",
    "Violation",
]
