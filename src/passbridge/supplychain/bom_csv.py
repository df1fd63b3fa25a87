"""Read bill-of-materials lines from CSV: ``parent_trace_id,child_trace_id,amount_required,unit``.

Layout: `COLUMNS` and `decode_bom_csv(raw, source) → ImportBatch`. UTF-8 (a byte-order mark is ignored), comma
separated, a header row naming exactly these columns in any order; every data row is one line. Rows are numbered
as a spreadsheet shows them: the header is row 1. Every violation names its row and column; all of them are
reported at once (up to 50).
"""

from __future__ import annotations

import csv
import io
from typing import Final

from passbridge.errors import InvalidInput, Violation
from passbridge.supplychain._json_fields import decimal_at, located, unit_at, uuid_at
from passbridge.supplychain.import_batch import ImportBatch, Sourced, SourceStyle
from passbridge.supplychain.model import BomLine

COLUMNS: Final = ("parent_trace_id", "child_trace_id", "amount_required", "unit")
RULE: Final = "passbridge BOM CSV (parent_trace_id,child_trace_id,amount_required,unit)"
MAX_REPORTED: Final = 50


def _row(values: dict[str, str], locator: str) -> BomLine:
    def at(column: str) -> str:
        return f"{locator}, column {column}"

    parent = uuid_at(values["parent_trace_id"].strip(), at("parent_trace_id"))
    child = uuid_at(values["child_trace_id"].strip(), at("child_trace_id"))
    amount = decimal_at(values["amount_required"].strip(), at("amount_required"))
    unit = unit_at(values["unit"].strip(), at("unit"))
    with located(locator):
        line = BomLine(parent, child, amount, unit)
    return line


def decode_bom_csv(raw: bytes, source: str = "bom.csv") -> ImportBatch:
    """The BOM lines of a CSV file, each located by its row.

    Raises:
        InvalidInput: naming row and column of every bad cell (or the header row).
    """
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidInput.at("row 1", f"not UTF-8 text: {error}", RULE) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [name.strip() for name in next(reader, [])]
    if sorted(header) != sorted(COLUMNS):
        raise InvalidInput.at(
            "row 1", f"the header must name the columns {','.join(COLUMNS)}; got {','.join(header) or 'nothing'}", RULE
        )
    lines: list[Sourced[BomLine]] = []
    violations: list[Violation] = []
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue  # blank line
        locator = f"row {number}"
        if len(cells) != len(header):
            violations.append(Violation(locator, f"has {len(cells)} cells, the header {len(header)}", RULE))
            continue
        try:
            lines.append(Sourced(locator, _row(dict(zip(header, cells, strict=True)), locator)))
        except InvalidInput as error:
            violations.extend(error.violations)
        if len(violations) >= MAX_REPORTED:
            break
    if violations:
        raise InvalidInput(violations[:MAX_REPORTED])
    if not lines:
        raise InvalidInput.at("row 2", "the file has no BOM lines", RULE)
    return ImportBatch(source, SourceStyle.CSV, bom_lines=tuple(lines))


__all__ = ["COLUMNS", "RULE", "decode_bom_csv"]
