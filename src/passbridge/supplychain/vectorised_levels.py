"""A supply graph's structure levelled by height: parts in level order, edges as CSR, one block per level.

Layout: `Levels` (the order and position of parts, level bounds, the edges, the reverse adjacency, the per-level
blocks; `Levels.ancestors`) and `levels_of`, which levels edge arrays (Kahn's algorithm from the leaves up) or
raises `CycleDetected` with the path of a cycle.

A part's height is 0 without children, else 1 + its highest child's. Sorting parts by height makes each level a
contiguous block of rows lo:hi whose children all lie in rows :lo, so `Levels.blocks` holds, for each level above
the leaves, A_L (its rows of the edges, columns :lo) and P_L (their pattern): the matrices of `vectorised`'s
formulas.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from passbridge.errors import CycleDetected
from passbridge.supplychain.vectorised_arrays import FloatArray, IndexArray, Sparse, pointer_ranges, row_pointers


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
            up = self.parents[pointer_ranges(self.parents_ptr, frontier)]
            frontier = np.unique(up[~seen[up]])
            seen[frontier] = True
            found.append(frontier)
        return np.sort(np.concatenate(found))


def _heights(parent: IndexArray, child: IndexArray, count: int) -> IndexArray:
    """Kahn's algorithm from the leaves up, one level per round; -1 for parts on or above a cycle."""
    by_child = np.argsort(child, kind="stable")
    pointers, parents = row_pointers(child[by_child], count, np.intp), parent[by_child]
    waiting = np.bincount(parent, minlength=count)
    height = np.full(count, -1, np.intp)
    frontier, level = np.flatnonzero(waiting == 0), 0
    while frontier.size:
        height[frontier] = level
        up = parents[pointer_ranges(pointers, frontier)]
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


def levels_of(
    parent: IndexArray,
    child: IndexArray,
    amount: FloatArray,
    count: int,
    ids: Sequence[uuid.UUID] | None,
    names: Sequence[str] | None,
) -> Levels:
    """Level the graph of parts 0 to `count` - 1 given as checked edge arrays.

    Args:
        parent: part index of each edge's parent.
        child: part index of each edge's child.
        amount: child units per unit of the parent.
        count: number of parts.
        ids: the traceId of each part, for the error.
        names: a name for each part, for the error.

    Raises:
        CycleDetected: with the path of a cycle.
    """
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
    pointers, ones = row_pointers(rows, count, dtype), np.ones(len(rows))
    edges = sp.csr_array((amounts, columns, pointers), shape=(count, count))
    blocks = []
    for lo, hi in zip(bounds[1:-1].tolist(), bounds[2:].tolist(), strict=True):
        start, end = int(pointers[lo]), int(pointers[hi])
        block_pointers, block_columns = pointers[lo : hi + 1] - start, columns[start:end]
        a_level = sp.csr_array((amounts[start:end], block_columns, block_pointers), shape=(hi - lo, lo))
        p_level = sp.csr_array((ones[start:end], block_columns, block_pointers), shape=(hi - lo, lo))
        blocks.append((lo, hi, a_level, p_level))
    by_child = np.argsort(columns, kind="stable")
    parents_ptr = row_pointers(columns[by_child].astype(np.intp), count, np.intp)
    return Levels(order, position, bounds, edges, parents_ptr, rows[by_child], tuple(blocks))


__all__ = ["Levels", "levels_of"]
