"""The one error tree of passbridge. Only `api/problems.py` maps it to HTTP; the CLI maps it to exit codes.

```
PassbridgeError
├── InvalidInput                 the caller sent something we refuse; carries Violations (JSON path + rule)
│   ├── MalformedJson            the body is not JSON at all
│   ├── PassportRuleViolation    a rule of Reg. (EU) 2023/1542 or BatteryPass 6.1.0 beyond the schema
│   ├── UnsupportedFormat        an export/import format we do not speak
│   └── PayloadTooLarge          a body over the size limit
├── Unauthenticated              a credential (bearer token) that does not verify
├── Forbidden                    an authenticated caller without the right for this action
├── NotFound
│   └── PassportNotFound
├── Conflict
│   ├── DuplicateIdentifier      an identifier that must be unique already exists (names the field)
│   │   └── DuplicatePassport    a passport identifier that already exists
│   └── IllegalTransition        a lifecycle move the state machine does not allow (names both states)
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


__all__ = [
    "ConfigurationError",
    "Conflict",
    "DuplicateIdentifier",
    "DuplicatePassport",
    "Forbidden",
    "IllegalTransition",
    "InvalidInput",
    "MalformedJson",
    "NotFound",
    "PassbridgeError",
    "PassportNotFound",
    "PassportRuleViolation",
    "PayloadTooLarge",
    "Unauthenticated",
    "UnsupportedFormat",
    "Violation",
]
