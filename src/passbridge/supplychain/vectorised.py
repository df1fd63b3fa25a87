"""The supply graph compiled for vectorised roll-ups: parts levelled by height, one sparse matrix per level.

Layout: `LocalMatrices` (every part's local figures, by position) and `CompiledGraph` with
`CompiledGraph.from_arrays`. Their parts: `vectorised_layout` (the columns of a figures row: `Layout`,
`SparseFigures`, `LocalFigures`), `vectorised_levels` (the levelled structure: `Levels`), `vectorised_arrays` (array
types, input checks, CSR rows). `vectorised_screening` rolls a compiled graph up and keeps it current (`Screening`);
`vectorised_rollups` compiles a `SupplyGraph` (`compile_graph`), rolls it up (`rollup_all`) and checks the float
path against the exact one (`cross_check`).

Formulas: those of `rollups` and `material_rollups`, as matrices. Parts are ordered by height (0 for a part without
children, else 1 + its highest child), so level L is a contiguous block of rows lo:hi whose children all lie in rows
:lo, and one sparse product per level rolls the whole level up:

    T[lo:hi] = local[lo:hi] + A_L · T[:lo]        A_L[i, j] = amountRequired of child j per unit of parent i
    F[lo:hi] = min(1, f[lo:hi] + P_L · F[:lo])    P_L = the pattern of A_L; F = "a figure below is missing"

`local` is a part's own figures plus its trade's answer (restated per its unit, so with amount 1). The pattern, not
the amounts, carries "missing": the exact path refuses a missing answer even below a zero amount.

Numeric contract: float64 is for screening and bulk views (which parts, how much, where to look). Each figure is a
sum of non-negative products, so nothing cancels: the relative error stays within a few (depth + fan-in) units of
2^-53, far inside the 1e-9 that `cross_check` allows, and a zero is exactly zero, so "some emissions have no DQR" and
"a figure is missing" are decided exactly. Figures that are published (the passport, answers to customers, the
roll-up API, Ouranos-rounded values) come only from the exact `Decimal` path (`rollups.roll_up`).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike

from passbridge.errors import InvalidInput, PartNotFound
from passbridge.supplychain.vectorised_arrays import (
    FloatArray,
    IndexArray,
    Sparse,
    checked_figures,
    checked_indices,
)
from passbridge.supplychain.vectorised_layout import Layout, SparseFigures
from passbridge.supplychain.vectorised_levels import Levels, levels_of


@dataclass(frozen=True, slots=True)
class LocalMatrices:
    """Every part's local figures, by position.

    Attributes:
        own: positions by `Layout.width` (CSR).
        answers: the same for what each part's trade contributes.
        local: own + answers.
        missing: positions by 2: 1.0 where the part misses an answer's CFP / material content.
    """

    own: Sparse
    answers: Sparse
    local: Sparse
    missing: FloatArray


class CompiledGraph:
    """A supply graph levelled for `vectorised_rollups.rollup_all`; immutable, built once.

    Attributes:
        layout: the columns of every figures row.
        levels: the levelled structure.
        local: every part's local figures.
        trace_ids: the traceId of each part index, if known.
        names: a name for each part index, if known (used in errors).
    """

    __slots__ = ("_index", "layout", "levels", "local", "names", "trace_ids")

    def __init__(
        self,
        layout: Layout,
        levels: Levels,
        local: LocalMatrices,
        trace_ids: Sequence[uuid.UUID] | None = None,
        names: Sequence[str] | None = None,
    ) -> None:
        self.layout, self.levels, self.local, self.names = layout, levels, local, names
        self.trace_ids = None if trace_ids is None else tuple(trace_ids)
        self._index: Mapping[uuid.UUID, int] = {t: i for i, t in enumerate(self.trace_ids or ())}

    @classmethod
    def from_arrays(
        cls,
        parent: ArrayLike,
        child: ArrayLike,
        amount: ArrayLike,
        *,
        part_count: int,
        layout: Layout,
        own: SparseFigures,
        answers: SparseFigures | None = None,
        missing: ArrayLike | None = None,
        trace_ids: Sequence[uuid.UUID] | None = None,
        names: Sequence[str] | None = None,
    ) -> CompiledGraph:
        """Level a graph given as edge arrays over parts 0 to `part_count` - 1.

        Args:
            parent: part index of each edge's parent.
            child: part index of each edge's child.
            amount: child units per unit of the parent (finite, ≥ 0).
            part_count: number of parts.
            layout: the columns of `own` and `answers`.
            own: each part's own figures.
            answers: what each part's trade contributes.
            missing: `part_count` by 2 booleans: the part misses an answer's CFP / material content.
            trace_ids: the traceId of each part, for `index`.
            names: a name for each part, for errors.

        Raises:
            InvalidInput: naming the array and index of the first bad value.
            CycleDetected: with the path of a cycle.
        """
        parents, children = checked_indices(parent, part_count, "parent"), checked_indices(child, part_count, "child")
        amounts = checked_figures(amount, "amount")
        if not len(parents) == len(children) == len(amounts):
            raise InvalidInput.at("amount", "parent, child and amount must have the same length")
        levels = levels_of(parents, children, amounts, part_count, trace_ids, names)
        own_matrix = _matrix(own, levels.position, layout.width, "own")
        answer_matrix = _matrix(answers or SparseFigures.empty(), levels.position, layout.width, "answers")
        flags = np.zeros((part_count, 2)) if missing is None else np.asarray(missing, np.bool_).astype(np.float64)
        if flags.shape != (part_count, 2):
            raise InvalidInput.at("missing", f"must be {part_count} by 2, got {flags.shape}")
        local_matrix = (own_matrix + answer_matrix).tocsr()
        local_matrix.sum_duplicates()  # canonical: `dense_rows` scatters entries
        local = LocalMatrices(own_matrix, answer_matrix, local_matrix, flags[levels.order])
        return cls(layout, levels, local, trace_ids, names)

    @property
    def part_count(self) -> int:
        """Number of parts."""
        return len(self.levels.order)

    @property
    def edge_count(self) -> int:
        """Number of bill-of-materials edges."""
        return int(self.levels.edges.nnz)

    @property
    def depth(self) -> int:
        """Number of levels: the longest path from a part down to a leaf has `depth` - 1 edges."""
        return len(self.levels.bounds) - 1

    def index(self, trace_id: uuid.UUID) -> int:
        """The part index of `trace_id`.

        Raises:
            PartNotFound: if the graph has no such part (or was compiled without traceIds).
        """
        found = self._index.get(trace_id)
        if found is None:
            raise PartNotFound(str(trace_id))
        return found

    def position(self, part: int) -> int:
        """The row of part index `part` in the level order.

        Raises:
            PartNotFound: if there is no such part.
        """
        if not 0 <= part < self.part_count:
            raise PartNotFound(str(part))
        return int(self.levels.position[part])


def _matrix(figures: SparseFigures, position: IndexArray, width: int, what: str) -> Sparse:
    parts = checked_indices(figures.parts, len(position), f"{what}.parts")
    columns = checked_indices(figures.columns, width, f"{what}.columns")
    values = checked_figures(figures.values, f"{what}.values")
    if not len(parts) == len(columns) == len(values):
        raise InvalidInput.at(what, "parts, columns and values must have the same length")
    return sp.csr_array((values, (position[parts], columns)), shape=(len(position), width))


__all__ = ["CompiledGraph", "LocalMatrices"]
