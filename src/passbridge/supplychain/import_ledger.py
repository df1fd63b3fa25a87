"""The working copy an import is planned on: the node's entries as the import changes them, and its refusals.

Layout: `REFERENCES` (the rule an unresolved reference names) and `ImportLedger`: the catalog's entries by key,
`put` (store an entry and record it as written, unless it equals the stored one), `fail` / `at` (refuse an item,
naming its field in the file), `known_part`, `written_values` and `catalog`.

Why a module of its own: every step of `importing.plan_import` (and of `import_trades`) writes through `put`, which is
what makes importing a file twice harmless, and records refusals the same way; the steps are cut by the items they
check, the ledger is what they share.
"""

from __future__ import annotations

import uuid
from collections.abc import Hashable
from typing import Any, Final

from passbridge.errors import Violation
from passbridge.supplychain.catalog import Catalog, PartEntry
from passbridge.supplychain.import_batch import ImportBatch

REFERENCES: Final = "references resolve to known items"


class ImportLedger:
    """The node's entries as an import changes them, what it wrote, and what it refused.

    Attributes:
        batch: the file's items (for the locators of their fields).
        operators: the entries of each kind, by key, as changed so far (likewise `sites`, `parts`, `bom_lines`,
            `footprints`, `materials`, `trades`, `answers`, `acl`, `battery_models`, `batteries`).
        written: the new or changed entries by kind (the JSON list names), by key, in the order written.
        origin: the locator of the item behind each (kind, key), for the whole-graph checks.
        changed: the parts whose figures may change.
        violations: the refusals so far.
    """

    def __init__(self, catalog: Catalog, batch: ImportBatch) -> None:
        self.batch = batch
        self.operators = dict(catalog.operators)
        self.sites = dict(catalog.sites)
        self.parts = dict(catalog.parts)
        self.bom_lines = dict(catalog.bom_lines)
        self.footprints = dict(catalog.footprints)
        self.materials = dict(catalog.materials)
        self.trades = dict(catalog.trades)
        self.answers = dict(catalog.answers)
        self.acl = dict(catalog.acl)
        self.battery_models = dict(catalog.battery_models)
        self.batteries = dict(catalog.batteries)
        self.written: dict[str, dict[Hashable, Any]] = {}
        self.origin: dict[tuple[str, Hashable], str] = {}
        self.changed: set[uuid.UUID] = set()
        self.violations: list[Violation] = []

    def fail(self, path: str, message: str, rule: str = REFERENCES) -> None:
        """Refuse the item at `path` (a locator in the file) for breaking `rule`."""
        self.violations.append(Violation(path, message, rule))

    def at(self, locator: str, name: str) -> str:
        """The locator of field `name` of the item at `locator` (``$.parts[2].operator``, ``row 4, column unit``)."""
        return self.batch.field_path(locator, name)

    def put(self, kind: str, store: dict[Any, Any], key: Hashable, value: Any, locator: str | None) -> bool:
        """Store `value` under `key` in `store` and record it as written under `kind`, unless it equals the stored
        entry; remember `locator` (None for an entry rebuilt from others) as the origin of (kind, key).

        Returns:
            Whether the entry is new or changed.
        """
        if locator is not None:
            self.origin[(kind, key)] = locator
        if store.get(key) == value:
            return False
        store[key] = value
        self.written.setdefault(kind, {})[key] = value
        return True

    def written_values(self, kind: str) -> tuple[Any, ...]:
        """The new or changed entries of `kind`, in the order written."""
        return tuple(self.written.get(kind, {}).values())

    def known_part(self, trace_id: uuid.UUID, path: str) -> PartEntry | None:
        """The part `trace_id`, or None after refusing the item at `path` for naming an unknown part."""
        entry = self.parts.get(trace_id)
        if entry is None:
            self.fail(path, f"unknown part {trace_id}")
        return entry

    def catalog(self) -> Catalog:
        """The entries as a `Catalog`."""
        return Catalog(
            self.operators,
            self.sites,
            self.parts,
            self.bom_lines,
            self.footprints,
            self.materials,
            self.trades,
            self.answers,
            self.acl,
            self.battery_models,
            self.batteries,
        )


__all__ = ["REFERENCES", "ImportLedger"]
