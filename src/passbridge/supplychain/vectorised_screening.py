"""Every part's float64 totals of a compiled graph (for screening), kept current under changes.

Layout: `Screening` (every part's totals from the full pass; `update_own` / `update_answer` recompute only the
changed part and its ancestors; reads per part and in bulk) with `ElementScreen` (one element's screened masses).
`vectorised_rollups.rollup_all` makes one; `vectorised_rollups.cross_check` compares it with the exact path.

Incremental updates: a part's totals are linear in its children's totals, so a change to one part's own figures or
answer changes exactly that part and its ancestors. `update_*` collects those from the reverse adjacency and
recomputes them level by level, children first, each row as `local + A[rows] · T` with the same sparse kernel and
the same operands as the full pass: the result is the full pass's, bit for bit, however many updates came before
(adding deltas instead would drift, and could leave 1e-17 where the exact path has 0, i.e. a DQR turned unknown).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from passbridge.errors import InvalidInput
from passbridge.supplychain.elements import element_name
from passbridge.supplychain.vectorised import CompiledGraph
from passbridge.supplychain.vectorised_arrays import FloatArray, IndexArray, checked_figures, dense_rows, row_block
from passbridge.supplychain.vectorised_layout import CRITERIA, STAGES, Layout, LocalFigures


class _Patch:
    """A part's local figures as changed by updates (the compiled graph itself never changes)."""

    __slots__ = ("answer", "missing", "own")

    def __init__(self, own: FloatArray, answer: FloatArray, missing: FloatArray) -> None:
        self.own, self.answer, self.missing = own, answer, missing


class Screening:
    """The figures of every part of a compiled graph (float64, `Layout` columns), kept current under changes.

    Attributes:
        graph: what was rolled up.
    """

    __slots__ = ("_missing", "_patched", "_patches", "_totals", "graph")

    def __init__(self, graph: CompiledGraph) -> None:
        self.graph = graph
        self._patches: dict[int, _Patch] = {}
        self._patched: IndexArray = np.empty(0, np.intp)  # the keys of `_patches`, sorted
        self._totals: FloatArray = np.empty((0, graph.layout.width))
        self._missing: FloatArray = np.empty((0, 2))
        self.recompute()

    def recompute(self) -> None:
        """Roll every part up again from the current local figures (the full pass)."""
        levels, local = self.graph.levels, self.graph.local
        self._totals = np.empty((0, self.graph.layout.width))  # free the old totals before allocating the new
        totals: FloatArray = local.local.toarray()
        missing = local.missing.copy()
        for position, patch in self._patches.items():
            totals[position], missing[position] = patch.own + patch.answer, patch.missing
        for lo, hi, amounts, pattern in levels.blocks:
            totals[lo:hi] += amounts @ totals[:lo]
            np.minimum(missing[lo:hi] + pattern @ missing[:lo], 1.0, out=missing[lo:hi])
        self._totals, self._missing = totals, missing

    def update_own(self, part: int, values: ArrayLike) -> IndexArray:
        """Replace the own figures of `part`; recompute it and its ancestors.

        Returns:
            The indices of the recomputed parts, `part` among them.

        Raises:
            PartNotFound: if there is no such part.
            InvalidInput: if `values` is not one row of finite figures ≥ 0 of the layout's width.
        """
        position = self.graph.position(part)
        self._patch(position).own = self._row(values, "own")
        return self._propagate(position, flags=False)

    def update_answer(self, part: int, figures: LocalFigures) -> IndexArray:
        """Replace what the trade of `part` contributes; recompute it and its ancestors.

        Returns:
            The indices of the recomputed parts, `part` among them.

        Raises:
            PartNotFound: if there is no such part.
            InvalidInput: if `figures.values` is not one row of finite figures ≥ 0 of the layout's width.
        """
        position = self.graph.position(part)
        patch = self._patch(position)
        patch.answer = self._row(figures.values, "answer")
        missing = np.array([float(figures.missing_cfp), float(figures.missing_materials)])
        flags, patch.missing = not np.array_equal(missing, patch.missing), missing
        return self._propagate(position, flags=flags)

    def row(self, part: int) -> FloatArray:
        """Every figure of `part` (a copy)."""
        return np.array(self._totals[self.graph.position(part)], np.float64)

    def cfp(self, part: int) -> FloatArray:
        """kg CO2e per declared unit of `part`, per stage."""
        return self._totals[self.graph.position(part), Layout.CFP].copy()

    def dqr(self, part: int) -> FloatArray:
        """Emission-weighted DQR of `part`, stages by (TeR, GeR, TiR); NaN where the exact path has none."""
        return np.array(_dqr(self._totals[[self.graph.position(part)]])[0], np.float64)

    def complete(self, part: int) -> tuple[bool, bool]:
        """Whether the exact path can roll `part` up: (CFP, material content) miss no figure below it."""
        flags = self._missing[self.graph.position(part)]
        return bool(flags[0] == 0), bool(flags[1] == 0)

    def element(self, part: int, element: str) -> ElementScreen:
        """The screened figures of `element` in `part`.

        Raises:
            InvalidInput: if `element` is not screened.
        """
        layout, row = self.graph.layout, self._totals[self.graph.position(part)]
        column = layout.mass(element)
        origin = tuple((c, float(row[i])) for c, i in layout.origin_columns(element) if row[i] > 0)
        mass, pre, post = (float(m) for m in row[column : column + 3])
        return ElementScreen(element_name(element), mass, pre, post, origin)

    def totals(self) -> FloatArray:
        """Every figure of every part, parts by `Layout` columns, in part order (a copy)."""
        return self._totals[self.graph.levels.position]

    def cfp_all(self) -> FloatArray:
        """CFP of every part, parts by stages, in part order."""
        return self._totals[self.graph.levels.position, Layout.CFP]

    def dqr_all(self) -> FloatArray:
        """DQR of every part, parts by stages by (TeR, GeR, TiR), in part order; NaN where the exact path has none."""
        return _dqr(self._totals[self.graph.levels.position, : Layout.MATERIALS])

    def recycled_share_all(self, element: str) -> FloatArray:
        """Recycled mass / mass of `element` for every part, in part order; NaN without mass."""
        column = self.graph.layout.mass(element)
        rows = self._totals[self.graph.levels.position, column : column + 3]
        out = np.full(len(rows), np.nan)
        np.divide(rows[:, 1] + rows[:, 2], rows[:, 0], out=out, where=rows[:, 0] > 0)
        return out

    def _row(self, values: ArrayLike, what: str) -> FloatArray:
        row = checked_figures(values, what).copy()
        if row.shape != (self.graph.layout.width,):
            raise InvalidInput.at(what, f"must be one row of {self.graph.layout.width} figures, got {row.shape}")
        return row

    def _patch(self, position: int) -> _Patch:
        patch = self._patches.get(position)
        if patch is None:
            local = self.graph.local
            own, answer = (matrix[[position]].toarray()[0] for matrix in (local.own, local.answers))
            patch = self._patches[position] = _Patch(own, answer, local.missing[position].copy())
            self._patched = np.insert(self._patched, np.searchsorted(self._patched, position), position)
        return patch

    def _propagate(self, position: int, *, flags: bool) -> IndexArray:
        """Recompute `position` and its ancestors; their "missing" flags too if `flags` (only the changed part's
        own flag can change them)."""
        levels = self.graph.levels
        affected = np.sort(np.append(levels.ancestors(position), position))
        cuts = np.searchsorted(affected, levels.bounds)
        for level in range(len(levels.bounds) - 1):
            rows = affected[cuts[level] : cuts[level + 1]]
            if rows.size:  # children first: a level reads only the levels below it
                block = row_block(levels.edges, rows)
                self._totals[rows] = self._local_rows(rows) + block @ self._totals
                if flags:
                    owner = np.repeat(np.arange(len(rows)), np.diff(block.indptr))
                    below = [np.bincount(owner, self._missing[block.indices, k], len(rows)) for k in range(2)]
                    missing = self._local_missing(rows) + np.column_stack(below)
                    self._missing[rows] = np.minimum(missing, 1.0)  # sums of whole numbers: exact
        parts: IndexArray = levels.order[affected]
        return parts

    def _patches_in(self, rows: IndexArray) -> list[tuple[int, _Patch]]:
        """(index in `rows`, patch) of the rows that updates have changed."""
        if not len(self._patched):
            return []
        at = np.minimum(np.searchsorted(self._patched, rows), len(self._patched) - 1)
        return [(i, self._patches[int(rows[i])]) for i in np.flatnonzero(self._patched[at] == rows).tolist()]

    def _local_rows(self, rows: IndexArray) -> FloatArray:
        local = dense_rows(self.graph.local.local, rows)
        for i, patch in self._patches_in(rows):
            local[i] = patch.own + patch.answer
        return local

    def _local_missing(self, rows: IndexArray) -> FloatArray:
        missing = self.graph.local.missing[rows]
        for i, patch in self._patches_in(rows):
            missing[i] = patch.missing
        return missing


def _dqr(rows: FloatArray) -> FloatArray:
    """Numerator / CFP where the stage has emissions and all of them have a DQR, else NaN."""
    totals, uncovered = rows[:, Layout.CFP, None], rows[:, Layout.UNCOVERED, None]
    numerators = rows[:, Layout.DQR].reshape(-1, len(STAGES), len(CRITERIA))
    out = np.full(numerators.shape, np.nan)
    np.divide(numerators, totals, out=out, where=(totals > 0) & (uncovered == 0))
    return out


@dataclass(frozen=True, slots=True)
class ElementScreen:
    """Screened masses of one element per declared unit of a part (float64; never published).

    Attributes:
        element: IUPAC name.
        mass: kg.
        recycled_pre_consumer: kg recovered from manufacturing waste.
        recycled_post_consumer: kg recovered from post-consumer waste.
        origin: (country, kg) of each country with mass, by country.
    """

    element: str
    mass: float
    recycled_pre_consumer: float
    recycled_post_consumer: float
    origin: tuple[tuple[str, float], ...]

    def share(self, kg: float) -> float | None:
        """`kg` / mass (None without mass)."""
        return kg / self.mass if self.mass > 0 else None

    @property
    def recycled_share(self) -> float | None:
        """Recycled mass / mass (None without mass)."""
        return self.share(self.recycled_pre_consumer + self.recycled_post_consumer)

    @property
    def origin_shares(self) -> tuple[tuple[str, float], ...]:
        """(country, mass from it / mass), empty without mass."""
        return tuple((c, m / self.mass) for c, m in self.origin) if self.mass > 0 else ()

    @property
    def unattributed(self) -> float:
        """kg of unknown origin."""
        return self.mass - math.fsum(m for _, m in self.origin)


__all__ = ["ElementScreen", "Screening"]
