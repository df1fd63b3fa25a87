"""The supply graph compiled for vectorised roll-ups: parts levelled by height, one sparse matrix per level.

Layout: `Layout` (which column of a figures row holds which figure), `SparseFigures` (many parts' own or answered
figures as triplets), `LocalFigures` (what one part's trade contributes, and whether it is missing), `Levels` (the
levelled structure, with `Levels.ancestors`), `LocalMatrices`, and `CompiledGraph` with `CompiledGraph.from_arrays`.
`vectorised_rollups` rolls a compiled graph up (`rollup_all`), keeps it current (`Screening.update_*`), compiles a
`SupplyGraph` (`compile_graph`) and checks the float path against the exact one (`cross_check`).

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
from typing import Any, ClassVar, Final

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from passbridge.errors import CycleDetected, InvalidInput, PartNotFound
from passbridge.supplychain._checks import country_field
from passbridge.supplychain.elements import REGULATED_ELEMENTS, element_name
from passbridge.supplychain.footprints import Stage

FloatArray = NDArray[np.float64]
IndexArray = NDArray[np.intp]
Sparse = Any
"""A `scipy.sparse.csr_array` (scipy ships no type information)."""

STAGES: Final = tuple(Stage)
"""The stages in column order."""
CRITERIA: Final = ("TeR", "GeR", "TiR")
"""The DQR criteria in column order."""

_N_STAGES: Final = len(STAGES)


@dataclass(frozen=True, slots=True)
class Layout:
    """The columns of a figures row, all per declared unit of its part.

    Columns 0-3 hold the CFP of each stage (kg CO2e); 4-15 the DQR numerators Σ DQR · emissions per stage and
    criterion (the denominator is the stage's CFP); 16-19 the emissions of each stage that have no DQR (the DQR is
    known exactly when this is 0); then mass, recycled pre-consumer and post-consumer mass (kg) of each element;
    then one origin mass (kg) per (element, country) pair.

    Attributes:
        elements: IUPAC names of the elements screened (symbols are accepted and normalised).
        origins: the (element, country) pairs that have an origin column, sorted by element then country.
    """

    CFP: ClassVar[slice] = slice(0, _N_STAGES)
    DQR: ClassVar[slice] = slice(_N_STAGES, 4 * _N_STAGES)
    UNCOVERED: ClassVar[slice] = slice(4 * _N_STAGES, 5 * _N_STAGES)
    MATERIALS: ClassVar[int] = 5 * _N_STAGES
    """First column of the material figures."""

    elements: tuple[str, ...] = REGULATED_ELEMENTS
    origins: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        elements = tuple(element_name(e, f"layout.elements[{i}]") for i, e in enumerate(self.elements))
        if len(set(elements)) != len(elements):
            raise InvalidInput.at("layout.elements", f"an element appears more than once in {elements}")
        origins = set()
        for i, (element, country) in enumerate(self.origins):
            name = element_name(element, f"layout.origins[{i}].element")
            if name not in elements:
                raise InvalidInput.at(f"layout.origins[{i}].element", f"{name} is not one of the elements {elements}")
            origins.add((name, country_field(country, f"layout.origins[{i}].country")))
        object.__setattr__(self, "elements", elements)
        object.__setattr__(self, "origins", tuple(sorted(origins, key=lambda o: (elements.index(o[0]), o[1]))))

    @property
    def width(self) -> int:
        """Number of columns."""
        return self.MATERIALS + 3 * len(self.elements) + len(self.origins)

    @staticmethod
    def cfp(stage: Stage) -> int:
        """Column of the CFP of `stage`."""
        return STAGES.index(stage)

    @staticmethod
    def dqr(stage: Stage, criterion: int) -> int:
        """Column of Σ DQR · emissions of `stage` for criterion 0 (TeR), 1 (GeR) or 2 (TiR)."""
        return _N_STAGES + 3 * STAGES.index(stage) + criterion

    @staticmethod
    def uncovered(stage: Stage) -> int:
        """Column of the emissions of `stage` that have no DQR."""
        return 4 * _N_STAGES + STAGES.index(stage)

    def mass(self, element: str) -> int:
        """Column of the mass of `element`; the recycled pre- and post-consumer masses follow it.

        Raises:
            InvalidInput: if `element` is not an element or not screened.
        """
        name = element_name(element)
        if name not in self.elements:
            raise InvalidInput.at("element", f"{name} is not screened; the layout has {self.elements}")
        return self.MATERIALS + 3 * self.elements.index(name)

    def origin(self, element: str, country: str) -> int:
        """Column of the mass of `element` from `country`.

        Raises:
            InvalidInput: if the layout has no column for them (compile again with data that names the country).
        """
        key = (element_name(element), country)
        if key not in self.origins:
            raise InvalidInput.at("origin", f"no origin column for {key[0]} from {country}; compile the graph again")
        return self.MATERIALS + 3 * len(self.elements) + self.origins.index(key)

    def origin_columns(self, element: str) -> tuple[tuple[str, int], ...]:
        """(country, column) of each origin column of `element`."""
        name = element_name(element)
        return tuple((c, self.origin(e, c)) for e, c in self.origins if e == name)


@dataclass(frozen=True, slots=True)
class SparseFigures:
    """Local figures of many parts as (part, column, value) triplets; a repeated pair is summed.

    Attributes:
        parts: part indices.
        columns: `Layout` columns.
        values: the figures (finite, ≥ 0).
    """

    parts: IndexArray
    columns: IndexArray
    values: FloatArray

    @classmethod
    def of(cls, parts: ArrayLike, columns: ArrayLike, values: ArrayLike) -> SparseFigures:
        """From anything array-like."""
        return cls(np.asarray(parts, np.intp), np.asarray(columns, np.intp), np.asarray(values, np.float64))

    @classmethod
    def empty(cls) -> SparseFigures:
        """No figures at all."""
        return cls.of([], [], [])


@dataclass(frozen=True, slots=True)
class LocalFigures:
    """What a part's trade contributes per its declared unit, and whether the exact path would refuse it.

    Attributes:
        values: one figures row (`Layout.width` columns).
        missing_cfp: the part needs an answer's CFP that is not there (no trade, not answered, withheld).
        missing_materials: the same for material content.
    """

    values: FloatArray
    missing_cfp: bool = False
    missing_materials: bool = False


@dataclass(frozen=True, slots=True)
class Levels:
    """A graph's structure in positions: parts sorted by height, so each level is a block of rows.

    Attributes:
        order: the part index at each position.
        position: the position of each part index.
        bounds: level L holds positions bounds[L]:bounds[L + 1].
        edges: positions by positions, row = parent, column = child, value = amount (CSR, columns sorted).
        parents_ptr: the parents of the part at position p are parents[parents_ptr[p]:parents_ptr[p + 1]].
        parents: see `parents_ptr`.
        blocks: (lo, hi, A_L, P_L) for each level L ≥ 1: its rows of `edges`, columns :lo, and their pattern.
    """

    order: IndexArray
    position: IndexArray
    bounds: IndexArray
    edges: Sparse
    parents_ptr: IndexArray
    parents: IndexArray
    blocks: tuple[tuple[int, int, Sparse, Sparse], ...]

    def ancestors(self, position: int) -> IndexArray:
        """The positions of every part above `position`, each once, sorted (breadth first, leaves up)."""
        seen = np.zeros(len(self.order), np.bool_)
        frontier, found = np.array([position], np.intp), [np.empty(0, np.intp)]
        while frontier.size:
            up = self.parents[_ranges(self.parents_ptr, frontier)]
            frontier = np.unique(up[~seen[up]])
            seen[frontier] = True
            found.append(frontier)
        return np.sort(np.concatenate(found))


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
        parents, children = _indices(parent, part_count, "parent"), _indices(child, part_count, "child")
        amounts = checked_figures(amount, "amount")
        if not len(parents) == len(children) == len(amounts):
            raise InvalidInput.at("amount", "parent, child and amount must have the same length")
        levels = _level(parents, children, amounts, part_count, trace_ids, names)
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


def row_block(matrix: Sparse, rows: IndexArray) -> Sparse:
    """The rows `rows` of a CSR `matrix`, in that order, as a CSR block over all its columns.

    The same as ``matrix[rows]`` with every row's entries in the same order (so a product with it is the same, bit
    for bit), without scipy's fancy-indexing overhead, which dominates when a level has a handful of rows.
    """
    entries, pointers = _entries(matrix.indptr, rows)
    return sp.csr_array((matrix.data[entries], matrix.indices[entries], pointers), shape=(len(rows), matrix.shape[1]))


def dense_rows(matrix: Sparse, rows: IndexArray) -> FloatArray:
    """The rows `rows` of a canonical CSR `matrix` (no repeated entry), dense."""
    entries, pointers = _entries(matrix.indptr, rows)
    out = np.zeros((len(rows), matrix.shape[1]))
    out[np.repeat(np.arange(len(rows)), np.diff(pointers)), matrix.indices[entries]] = matrix.data[entries]
    return out


def _entries(indptr: NDArray[Any], rows: IndexArray) -> tuple[IndexArray, NDArray[Any]]:
    """Where the entries of `rows` are in a CSR matrix's arrays, and the row pointers of those rows alone."""
    entries = _ranges(indptr, rows)
    pointers = np.zeros(len(rows) + 1, indptr.dtype)
    np.cumsum(indptr[rows + 1] - indptr[rows], out=pointers[1:])
    return entries, pointers


def checked_figures(values: ArrayLike, what: str) -> FloatArray:
    """`values` as float64 if every one is finite and ≥ 0.

    Raises:
        InvalidInput: naming `what` and the index of the first bad value.
    """
    array = np.asarray(values, np.float64)
    bad = np.flatnonzero(~np.isfinite(array) | (array < 0))
    if bad.size:
        raise InvalidInput.at(f"{what}[{bad[0]}]", f"must be a finite number ≥ 0, got {array.flat[bad[0]]}")
    return array


def _indices(values: ArrayLike, count: int, what: str) -> IndexArray:
    array = np.asarray(values)
    if array.ndim != 1 or (array.size and not np.issubdtype(array.dtype, np.integer)):
        raise InvalidInput.at(what, f"must be a one-dimensional array of indices, got {array.dtype} {array.shape}")
    bad = np.flatnonzero((array < 0) | (array >= count))
    if bad.size:
        raise InvalidInput.at(f"{what}[{bad[0]}]", f"index {array[bad[0]]} is not in 0..{count - 1}")
    return array.astype(np.intp)


def _matrix(figures: SparseFigures, position: IndexArray, width: int, what: str) -> Sparse:
    parts = _indices(figures.parts, len(position), f"{what}.parts")
    columns = _indices(figures.columns, width, f"{what}.columns")
    values = checked_figures(figures.values, f"{what}.values")
    if not len(parts) == len(columns) == len(values):
        raise InvalidInput.at(what, "parts, columns and values must have the same length")
    return sp.csr_array((values, (position[parts], columns)), shape=(len(position), width))


def _pointers(keys: IndexArray, count: int, dtype: type[np.signedinteger[Any]]) -> NDArray[Any]:
    """CSR row pointers of sorted row `keys` over `count` rows."""
    pointers = np.zeros(count + 1, dtype)
    np.cumsum(np.bincount(keys, minlength=count), out=pointers[1:])
    return pointers


def _ranges(pointers: NDArray[Any], rows: IndexArray) -> IndexArray:
    """The index ranges pointers[r]:pointers[r + 1] of `rows`, concatenated."""
    starts = pointers[rows].astype(np.intp)
    lengths = pointers[rows + 1] - starts
    return np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(int(lengths.sum()))


def _heights(parent: IndexArray, child: IndexArray, count: int) -> IndexArray:
    """Kahn's algorithm from the leaves up, one level per round; -1 for parts on or above a cycle."""
    by_child = np.argsort(child, kind="stable")
    pointers, parents = _pointers(child[by_child], count, np.intp), parent[by_child]
    waiting = np.bincount(parent, minlength=count)
    height = np.full(count, -1, np.intp)
    frontier, level = np.flatnonzero(waiting == 0), 0
    while frontier.size:
        height[frontier] = level
        up = parents[_ranges(pointers, frontier)]
        waiting -= np.bincount(up, minlength=count)
        candidates = np.unique(up)
        frontier, level = candidates[waiting[candidates] == 0], level + 1
    return height


def _cycle(
    parent: IndexArray,
    child: IndexArray,
    height: IndexArray,
    ids: Sequence[uuid.UUID] | None,
    names: Sequence[str] | None,
) -> CycleDetected:
    """Every part left unlevelled waits for a child that is also unlevelled; following such children must loop."""
    stuck = (height[parent] < 0) & (height[child] < 0)
    follow = dict(zip(parent[stuck].tolist(), child[stuck].tolist(), strict=True))
    node, path = int(parent[stuck][0]), list[int]()
    while node not in path:
        path.append(node)
        node = follow[node]
    cycle = [*path[path.index(node) :], node]
    return CycleDetected(
        [str(ids[i]) if ids else str(i) for i in cycle], [names[i] if names else f"part {i}" for i in cycle]
    )


def _level(
    parent: IndexArray,
    child: IndexArray,
    amount: FloatArray,
    count: int,
    ids: Sequence[uuid.UUID] | None,
    names: Sequence[str] | None,
) -> Levels:
    height = _heights(parent, child, count)
    if (height < 0).any():
        raise _cycle(parent, child, height, ids, names)
    order = np.argsort(height, kind="stable").astype(np.intp)
    position = np.empty(count, np.intp)
    position[order] = np.arange(count)
    bounds = np.searchsorted(height[order], np.arange(int(height.max(initial=-1)) + 2)).astype(np.intp)
    rows, columns = position[parent], position[child]
    by_row = np.lexsort((columns, rows))
    dtype = np.int32 if max(count, len(rows)) < 2**31 else np.int64
    rows, columns, amounts = rows[by_row], columns[by_row].astype(dtype), amount[by_row]
    pointers, ones = _pointers(rows, count, dtype), np.ones(len(rows))
    edges = sp.csr_array((amounts, columns, pointers), shape=(count, count))
    blocks = []
    for lo, hi in zip(bounds[1:-1].tolist(), bounds[2:].tolist(), strict=True):
        start, end = int(pointers[lo]), int(pointers[hi])
        block_pointers, block_columns = pointers[lo : hi + 1] - start, columns[start:end]
        a_level = sp.csr_array((amounts[start:end], block_columns, block_pointers), shape=(hi - lo, lo))
        p_level = sp.csr_array((ones[start:end], block_columns, block_pointers), shape=(hi - lo, lo))
        blocks.append((lo, hi, a_level, p_level))
    by_child = np.argsort(columns, kind="stable")
    parents_ptr = _pointers(columns[by_child].astype(np.intp), count, np.intp)
    return Levels(order, position, bounds, edges, parents_ptr, rows[by_child], tuple(blocks))


__all__ = [
    "CRITERIA",
    "STAGES",
    "CompiledGraph",
    "FloatArray",
    "IndexArray",
    "Layout",
    "Levels",
    "LocalFigures",
    "LocalMatrices",
    "Sparse",
    "SparseFigures",
    "checked_figures",
    "dense_rows",
    "row_block",
]
