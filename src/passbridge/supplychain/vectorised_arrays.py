"""Array types, checked input arrays and the CSR index arithmetic under the vectorised roll-ups.

Layout: the aliases `FloatArray`, `IndexArray` and `Sparse`; `checked_figures` and `checked_indices` (input arrays,
refused naming the array and the index of the first bad value); `row_pointers` and `pointer_ranges` (CSR row
pointers, and the entry ranges of chosen rows); `row_block` and `dense_rows` (chosen rows of a CSR matrix).

Why a module of its own: `vectorised_levels` levels the graph and walks up to ancestors with the same pointer
arithmetic that `vectorised_screening` uses to recompute a handful of rows, and `vectorised` and
`vectorised_screening` check their input arrays the same way. These are the inner steps of the hot paths, so they
are plain functions over numpy arrays.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from passbridge.errors import InvalidInput

FloatArray = NDArray[np.float64]
IndexArray = NDArray[np.intp]
Sparse = Any
"""A `scipy.sparse.csr_array` (scipy ships no type information)."""


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


def checked_indices(values: ArrayLike, count: int, what: str) -> IndexArray:
    """`values` as indices if they are a one-dimensional integer array with every value in 0..`count` - 1.

    Raises:
        InvalidInput: naming `what` (and the index of the first value out of range).
    """
    array = np.asarray(values)
    if array.ndim != 1 or (array.size and not np.issubdtype(array.dtype, np.integer)):
        raise InvalidInput.at(what, f"must be a one-dimensional array of indices, got {array.dtype} {array.shape}")
    bad = np.flatnonzero((array < 0) | (array >= count))
    if bad.size:
        raise InvalidInput.at(f"{what}[{bad[0]}]", f"index {array[bad[0]]} is not in 0..{count - 1}")
    return array.astype(np.intp)


def row_pointers(keys: IndexArray, count: int, dtype: type[np.signedinteger[Any]]) -> NDArray[Any]:
    """CSR row pointers of sorted row `keys` over `count` rows."""
    pointers = np.zeros(count + 1, dtype)
    np.cumsum(np.bincount(keys, minlength=count), out=pointers[1:])
    return pointers


def pointer_ranges(pointers: NDArray[Any], rows: IndexArray) -> IndexArray:
    """The index ranges pointers[r]:pointers[r + 1] of `rows`, concatenated."""
    starts = pointers[rows].astype(np.intp)
    lengths = pointers[rows + 1] - starts
    return np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(int(lengths.sum()))


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
    entries = pointer_ranges(indptr, rows)
    pointers = np.zeros(len(rows) + 1, indptr.dtype)
    np.cumsum(indptr[rows + 1] - indptr[rows], out=pointers[1:])
    return entries, pointers


__all__ = [
    "FloatArray",
    "IndexArray",
    "Sparse",
    "checked_figures",
    "checked_indices",
    "dense_rows",
    "pointer_ranges",
    "row_block",
    "row_pointers",
]
