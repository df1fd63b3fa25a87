"""The columns of a figures row, and local figures as triplets or as one row, for the vectorised roll-ups.

Layout: `STAGES` and `CRITERIA` (their column order), `Layout` (which column of a figures row holds which figure),
`SparseFigures` (many parts' own or answered figures as triplets), `LocalFigures` (what one part's trade
contributes, and whether it is missing).

Why a module of its own: every step of the vectorised path speaks in these columns (compiling a `SupplyGraph` in
`vectorised_rollups`, the compiled graph in `vectorised`, the totals in `vectorised_screening`), and the columns
depend on nothing but the elements and origin countries screened.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Final

import numpy as np
from numpy.typing import ArrayLike

from passbridge.errors import InvalidInput
from passbridge.supplychain._checks import country_field
from passbridge.supplychain.elements import REGULATED_ELEMENTS, element_name
from passbridge.supplychain.footprints import Stage
from passbridge.supplychain.vectorised_arrays import FloatArray, IndexArray

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


__all__ = ["CRITERIA", "STAGES", "Layout", "LocalFigures", "SparseFigures"]
