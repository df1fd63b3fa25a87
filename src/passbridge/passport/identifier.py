"""Unique battery identifiers in the ISO/IEC 15459 structure (Art. 77(3)): issuing agency + company + serial.

ISO/IEC 15459-4 unique item identifiers concatenate the Issuing Agency Code (IAC, assigned by the registration
authority under ISO/IEC 15459-2, e.g. ``0``-``9`` GS1, ``LA`` …), the Company Identification Number (CIN, assigned by
that agency) and a serial number unique within the company; the whole is at most 50 characters of upper-case
letters, digits and ``-`` ``.`` ``/``. In a data carrier it is preceded by the ANSI MH10.8.2 data identifier
``25S``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from passbridge.errors import InvalidInput

_IAC = re.compile(r"^[0-9]$|^[A-Z]{2,3}$")
_CIN = re.compile(r"^[A-Z0-9]{1,35}$")
_SERIAL = re.compile(r"^[A-Z0-9.\-/]{1,35}$")
MAX_LENGTH = 50
DATA_IDENTIFIER = "25S"


@dataclass(frozen=True, slots=True)
class UniqueIdentifier:
    """IAC + CIN + serial number."""

    issuing_agency: str
    company: str
    serial: str

    def __post_init__(self) -> None:
        checks = (
            (_IAC, self.issuing_agency, "$.issuingAgency", "an issuing agency code: one digit or 2-3 letters"),
            (_CIN, self.company, "$.company", "1-35 upper-case letters or digits"),
            (_SERIAL, self.serial, "$.serial", "1-35 of A-Z 0-9 . - /"),
        )
        for pattern, value, path, expected in checks:
            if not pattern.match(value):
                raise InvalidInput.at(path, f"{value!r} is not {expected}", rule="ISO/IEC 15459")
        if len(str(self)) > MAX_LENGTH:
            raise InvalidInput.at("$", f"identifier longer than {MAX_LENGTH} characters", rule="ISO/IEC 15459-4")

    def __str__(self) -> str:
        return f"{self.issuing_agency}{self.company}{self.serial}"

    @property
    def in_data_carrier(self) -> str:
        """The identifier as encoded in a data carrier, with the ``25S`` data identifier."""
        return DATA_IDENTIFIER + str(self)


__all__ = ["DATA_IDENTIFIER", "MAX_LENGTH", "UniqueIdentifier"]
