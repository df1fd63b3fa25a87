"""Supply-chain roll-up benchmark: CFP per stage with DQR, recycled content and origin of Co, Li, Ni, Pb for every
part of a 1,000,000-edge supply graph at once, and the incremental update after one answer changes (issue #3).

    .venv/bin/python benchmarks/rollup.py                  # ≈250,000 parts, 1,000,000 edges, depth ≥ 7 (~10 s)
    .venv/bin/python benchmarks/rollup.py --quick          # 2,500 parts, 10,000 edges (seconds)
    .venv/bin/python benchmarks/rollup.py --json benchmarks/.work/rollup.json

The graph is generated from a fixed seed: a few battery packs on top, a wide middle of modules, cells and
intermediates, many leaves (raw materials, 20 % of them bought through answered trades); sub-parts are shared (a DAG,
not a tree), mostly near their first parent and some (commodities) by very many parents. Prints the build time, the
full roll-up (median of 5), peak RSS (getrusage, before the comparisons below run) and the tracemalloc peak of one
roll-up, the incremental update (median over 100 random answers changed; and the answer of the most widely used
bought part, the worst case) and whether the figures after the updates equal a full pass. In the same run, for
comparison: a plain-Python topological pass over the same arrays (CFP per stage only), and the exact `Decimal` path
(`rollups.roll_up`) on the upstream of one part (~1,000 parts), cross-checked against the vectorised figures.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
import tracemalloc
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `python benchmarks/rollup.py`

from benchmarks._common import machine, machine_line
from passbridge.supplychain.answers import AnsweredElement, OriginShare, StageDqr, StageEmission, SupplierAnswer
from passbridge.supplychain.elements import REGULATED_ELEMENTS
from passbridge.supplychain.footprints import (
    Dqr,
    ElementContent,
    MaterialContent,
    OriginMass,
    OwnFootprint,
    StageFootprint,
)
from passbridge.supplychain.graph import SupplyGraph
from passbridge.supplychain.model import BomLine, Operator, Part
from passbridge.supplychain.quantities import Unit, exact_product
from passbridge.supplychain.rollups import roll_up
from passbridge.supplychain.trades import Trade, answer
from passbridge.supplychain.vectorised import CompiledGraph
from passbridge.supplychain.vectorised_layout import STAGES, Layout, LocalFigures, SparseFigures
from passbridge.supplychain.vectorised_rollups import compile_graph, cross_check, rollup_all
from passbridge.supplychain.vectorised_screening import Screening

ELEMENT_COUNTRIES: Final = {
    "cobalt": ("AU", "CD", "CU", "ID", "PH", "RU"),
    "lead": ("AU", "CN", "MX", "PE", "US"),
    "lithium": ("AR", "AU", "CL", "CN"),
    "nickel": ("AU", "CA", "ID", "NC", "PH", "RU"),
}
ELEMENTS: Final = REGULATED_ELEMENTS
LEVEL_SHARES: Final = (0.0001, 0.001, 0.01, 0.04, 0.10, 0.16, 0.20, 0.22)
"""Share of the parts on each generated level from the packs down; the rest is the bottom level (raw materials)."""
TERMINAL_SHARE: Final = 0.25
"""Share of the parts above the bottom level without a bill of materials (bought components, terminated parts)."""
BOUGHT_SHARE: Final = 0.20
"""Share of the leaves bought through an answered trade (their figures are answers); the rest are terminated."""
WITHHELD_DQR_SHARE: Final = 0.10
"""Share of the answers that withhold their DQR (the DQR above them becomes unknown)."""
OURS: Final = Operator("Pack Maker K.K.", "JP", open_operator_id="1180301018771")
THEIRS: Final = Operator("Nordzelle GmbH", "DE", bpnl="BPNL000000000B01")

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True)
class Generated:
    """A generated supply graph as arrays; figures are rounded to the decimals the exact path is given."""

    parent: IntArray
    child: IntArray
    amount: FloatArray  # 3 decimals
    level: NDArray[np.int8]  # generated level, 0 = packs
    assembly: BoolArray  # has a bill of materials
    bought: BoolArray  # a leaf bought through an answered trade
    emissions: FloatArray  # parts by stages, kg CO2e per unit, 4 decimals
    dqr: FloatArray  # parts by stages by criteria, 1 decimal
    dqr_withheld: BoolArray  # bought parts whose answer withholds the DQR
    material_part: IntArray  # one row per (part, element)
    material_element: IntArray  # index into ELEMENTS
    mass: FloatArray  # kg per unit, 4 decimals
    pre_share: FloatArray  # recycled pre-consumer share of the mass, 2 decimals
    post_share: FloatArray
    origin_material: IntArray  # one row per (material row, country)
    origin_country: NDArray[np.str_]
    origin_share: FloatArray  # share of the mass, 2 decimals

    @property
    def part_count(self) -> int:
        return len(self.level)


def _level_sizes(parts: int) -> list[int]:
    sizes = [max(1, round(parts * share)) for share in LEVEL_SHARES]
    return [*sizes, parts - sum(sizes)]


def _edges(rng: np.random.Generator, sizes: list[int], assembly: BoolArray, edges: int) -> tuple[IntArray, IntArray]:
    """One home parent per part below the packs (near its position), then extra edges, mostly to nearby parts of
    the next level, some skipping levels, 3 % to a few commodities; duplicates removed, trimmed to `edges`."""
    parts, bottom = sum(sizes), len(sizes) - 1
    starts = np.cumsum([0, *sizes])
    level = np.repeat(np.arange(len(sizes)), sizes)
    relative = (np.arange(parts) - starts[level]) / np.asarray(sizes)[level]
    home_parent, home_child = [], []
    for lvl in range(bottom):
        parents = np.flatnonzero(assembly[starts[lvl] : starts[lvl + 1]]) + starts[lvl]
        children = np.arange(starts[lvl + 1], starts[lvl + 2])
        home_parent.append(parents[(relative[children] * len(parents)).astype(np.int64)])
        home_child.append(children)
    home = np.concatenate(home_parent) * parts + np.concatenate(home_child)
    keys, assemblies = home, np.flatnonzero(assembly)
    while len(keys) < edges:
        m = int((edges - len(keys)) * 1.15) + 100
        parent = rng.choice(assemblies, m)
        child_level = np.minimum(level[parent] + rng.choice([1, 2, 3], m, p=[0.85, 0.10, 0.05]), bottom)
        size = np.asarray(sizes)[child_level]
        sigma = np.maximum(2.0, 0.002 * size)
        index = np.clip(np.rint(relative[parent] * size + rng.normal(0, 1, m) * sigma), 0, size - 1)
        commodity = rng.random(m) < 0.03
        index[commodity] = np.floor(sizes[bottom] * 0.01 * rng.random(int(commodity.sum())) ** 3)
        child_level[commodity] = bottom
        child = starts[child_level] + index.astype(np.int64)
        keys = np.unique(np.concatenate([keys, parent * parts + child]))
    if len(keys) > edges:  # drop extra (never home) edges at random
        extra = np.flatnonzero(~np.isin(keys, home, assume_unique=True))
        keys = np.delete(keys, rng.choice(extra, len(keys) - edges, replace=False))
    return keys // parts, keys % parts


def generate(parts: int, edges: int, seed: int) -> Generated:
    """A deterministic supply graph of `parts` parts and `edges` edges."""
    rng = np.random.default_rng(seed)
    sizes = _level_sizes(parts)
    level = np.repeat(np.arange(len(sizes)), sizes).astype(np.int8)
    bottom = len(sizes) - 1
    assembly = (level < bottom) & ((rng.random(parts) >= TERMINAL_SHARE) | (level == 0))
    assembly[np.cumsum([0, *sizes[:-2]])] = True  # every level above the bottom has an assembly
    parent, child = _edges(rng, sizes, assembly, edges)
    amount = np.maximum(np.round(rng.lognormal(0, 1.2, len(parent)), 3), 0.001)
    leaf = ~assembly
    bought = leaf & (rng.random(parts) < BOUGHT_SHARE)
    emissions = np.zeros((parts, len(STAGES)))
    emissions[leaf, 0] = rng.lognormal(0, 1, int(leaf.sum()))
    emissions[leaf, 1] = np.where(rng.random(int(leaf.sum())) < 0.3, rng.lognormal(-1, 1, int(leaf.sum())), 0)
    emissions[assembly, 1] = rng.lognormal(-1, 1, int(assembly.sum()))
    emissions[assembly, 2] = np.where(
        rng.random(int(assembly.sum())) < 0.2, rng.lognormal(-2, 1, int(assembly.sum())), 0
    )
    emissions[level == 0, 2:] = rng.lognormal(1, 0.5, (int((level == 0).sum()), 2))
    emissions = np.round(emissions, 4)
    dqr = rng.integers(10, 31, (parts, len(STAGES), 3)) / 10
    dqr_withheld = bought & (rng.random(parts) < WITHHELD_DQR_SHARE)
    count = np.where(leaf, rng.choice([0, 1, 2], parts, p=[0.4, 0.4, 0.2]), 0)
    material_part = np.repeat(np.arange(parts), count)
    first = rng.integers(0, len(ELEMENTS), parts)
    second = (first + 1 + rng.integers(0, len(ELEMENTS) - 1, parts)) % len(ELEMENTS)
    nth = np.arange(len(material_part)) - np.repeat(np.cumsum(count) - count, count)
    material_element = np.where(nth == 0, first[material_part], second[material_part])
    rows = len(material_part)
    mass = np.maximum(np.round(rng.lognormal(-3, 1, rows), 4), 0.0001)
    pre_share, post_share = (np.round(rng.uniform(0, 0.3, rows), 2) for _ in range(2))
    countries = rng.choice([1, 2], rows, p=[0.6, 0.4])
    origin_material = np.repeat(np.arange(rows), countries)
    nth = np.arange(len(origin_material)) - np.repeat(np.cumsum(countries) - countries, countries)
    lists = [ELEMENT_COUNTRIES[e] for e in ELEMENTS]
    start = rng.integers(0, 100, rows)
    elements_of = material_element[origin_material]
    origin_country = np.array(
        [lists[e][(s + k) % len(lists[e])] for e, s, k in zip(elements_of, start[origin_material], nth, strict=True)]
    )
    first_share = np.where(countries == 1, np.where(rng.random(rows) < 0.7, 1.0, 0.5), rng.uniform(0.1, 0.6, rows))
    first_share = np.floor(first_share * 100) / 100
    second_share = np.floor(rng.uniform(0, 1, rows) * (1 - first_share) * 100) / 100
    origin_share = np.where(nth == 0, first_share[origin_material], second_share[origin_material])
    return Generated(
        parent, child, amount, level, assembly, bought, emissions, dqr, dqr_withheld,
        material_part, material_element, mass, pre_share, post_share,
        origin_material, origin_country, origin_share,
    )  # fmt: skip


def layout() -> Layout:
    """Four elements with every country of `ELEMENT_COUNTRIES`: 20 + 12 + 21 = 53 columns."""
    return Layout(ELEMENTS, tuple((e, c) for e, cs in ELEMENT_COUNTRIES.items() for c in cs))


def figures(g: Generated, columns: Layout) -> tuple[SparseFigures, SparseFigures]:
    """Own figures of the parts we make and answered figures of the parts we buy, as `Layout` triplets."""
    part, stage = np.nonzero(g.emissions)
    e = g.emissions[part, stage]
    withheld = g.dqr_withheld[part]
    criteria = np.tile(np.arange(3), len(part))
    dqr_part = np.repeat(part, 3)
    dqr_value = (g.dqr[part, stage] * e[:, None]).ravel()
    keep = ~np.repeat(withheld, 3)
    mass_column = np.array([columns.mass(name) for name in ELEMENTS])[g.material_element]
    origin_column = np.array(
        [
            columns.origin(ELEMENTS[e], c)
            for e, c in zip(g.material_element[g.origin_material], g.origin_country, strict=True)
        ]
    )
    mass = g.mass
    all_parts = np.concatenate([
        part, dqr_part[keep], part[withheld], np.tile(g.material_part, 3), g.material_part[g.origin_material]
    ])  # fmt: skip
    all_columns = np.concatenate([
        stage,
        (Layout.DQR.start + 3 * np.repeat(stage, 3) + criteria)[keep],
        Layout.UNCOVERED.start + stage[withheld],
        mass_column, mass_column + 1, mass_column + 2,
        origin_column,
    ])  # fmt: skip
    all_values = np.concatenate([
        e, dqr_value[keep], e[withheld], mass, mass * g.pre_share, mass * g.post_share,
        g.origin_share * mass[g.origin_material],
    ])  # fmt: skip
    bought = g.bought[all_parts]
    own = SparseFigures.of(all_parts[~bought], all_columns[~bought], all_values[~bought])
    return own, SparseFigures.of(all_parts[bought], all_columns[bought], all_values[bought])


# --- the exact path on a subgraph --------------------------------------------------------------------------------


def upstream(g: Generated, part: int, limit: int) -> IntArray:
    """`part` and every part below it (stops early once more than `limit` are found)."""
    order = np.argsort(g.parent, kind="stable")
    pointers = np.searchsorted(g.parent[order], np.arange(g.part_count + 1))
    seen, frontier = {part}, [part]
    while frontier and len(seen) <= limit:
        found = {int(c) for p in frontier for c in g.child[order[pointers[p] : pointers[p + 1]]]} - seen
        seen |= found
        frontier = list(found)
    return np.array(sorted(seen))


def pick_subgraph(g: Generated, target: int, rng: np.random.Generator) -> tuple[int, IntArray]:
    """Among ten random assemblies of each level, the one whose whole upstream is closest to `target` parts."""
    pools = [np.flatnonzero(g.assembly & (g.level == lvl)) for lvl in range(int(g.level.max()) + 1)]
    candidates = [int(p) for pool in pools if pool.size for p in rng.choice(pool, min(10, pool.size), replace=False)]
    whole = [(p, below) for p in candidates if len(below := upstream(g, p, 3 * target)) <= 3 * target]
    return min(whole, key=lambda found: abs(len(found[1]) - target))


def _d(value: float, places: int) -> Decimal:
    return Decimal(f"{value:.{places}f}")


SupplyInputs = tuple[list[Part], list[BomLine], list[Trade], list[OwnFootprint], list[MaterialContent]]


def supply_inputs(g: Generated, parts: IntArray) -> tuple[SupplyInputs, dict[int, uuid.UUID]]:
    """The domain objects of `parts` (a whole upstream) for `SupplyGraph.build`, as the exact path gets them."""
    ids = {int(p): uuid.UUID(int=int(p) + 1) for p in parts}
    inside = np.isin(g.parent, parts) & np.isin(g.child, parts)
    lines = [
        BomLine(ids[int(p)], ids[int(c)], _d(a, 3), Unit.KILOGRAM)
        for p, c, a in zip(g.parent[inside], g.child[inside], g.amount[inside], strict=True)
    ]
    materials: dict[int, list[tuple[str, Decimal, Decimal, Decimal, list[tuple[str, Decimal]]]]] = {}
    origins: dict[int, list[tuple[str, Decimal]]] = {}
    rows = np.isin(g.material_part, parts)
    for o in np.flatnonzero(rows[g.origin_material]):
        origins.setdefault(int(g.origin_material[o]), []).append((str(g.origin_country[o]), _d(g.origin_share[o], 2)))
    for row in np.flatnonzero(rows):
        mass = _d(g.mass[row], 4)
        pre, post = exact_product(mass, _d(g.pre_share[row], 2)), exact_product(mass, _d(g.post_share[row], 2))
        item = (ELEMENTS[g.material_element[row]], mass, pre, post, origins.get(int(row), []))
        materials.setdefault(int(g.material_part[row]), []).append(item)
    part_objects, trades, footprints, contents = [], [], [], []
    for p in (int(p) for p in parts):
        leaf = not g.assembly[p]
        part_objects.append(Part(ids[p], OURS, f"P{p}", Unit.KILOGRAM, terminated=leaf and not g.bought[p]))
        stages = [(s, _d(g.emissions[p, i], 4), Dqr(*(_d(q, 1) for q in g.dqr[p, i]))) for i, s in enumerate(STAGES)]
        if g.bought[p]:
            elements = tuple(
                AnsweredElement(name, mass, pre, post, tuple(OriginShare(c, s) for c, s in origin))
                for name, mass, pre, post, origin in materials.get(p, [])
            )
            dqrs = None if g.dqr_withheld[p] else tuple(StageDqr(s, q) for s, e, q in stages if e > 0)
            cfp = tuple(StageEmission(s, e) for s, e, _ in stages)
            supplier = SupplierAnswer(
                uuid.UUID(int=2**64 + p), uuid.UUID(int=2**65 + p), Unit.KILOGRAM, cfp, dqrs, elements, 0, 0
            )
            trades.append(answer(Trade(uuid.UUID(int=2**66 + p), OURS, ids[p], THEIRS), supplier))
            continue
        footprints.append(
            OwnFootprint(ids[p], Unit.KILOGRAM, tuple(StageFootprint(s, e, q) for s, e, q in stages if e > 0))
        )
        own = tuple(
            ElementContent(name, mass, pre, post, tuple(OriginMass(c, exact_product(s, mass)) for c, s in origin))
            for name, mass, pre, post, origin in materials.get(p, [])
        )
        if own:
            contents.append(MaterialContent(ids[p], Unit.KILOGRAM, own))
    return (part_objects, lines, trades, footprints, contents), ids


# --- the plain-Python reference ------------------------------------------------------------------------------------


def python_pass(g: Generated) -> tuple[float, list[tuple[float, float, float, float]]]:
    """Kahn's topological order and CFP per stage (4 floats per part) in plain Python over the same arrays."""
    n = g.part_count
    kids: list[list[tuple[int, float]]] = [[] for _ in range(n)]
    parents: list[list[int]] = [[] for _ in range(n)]
    for p, c, a in zip(g.parent.tolist(), g.child.tolist(), g.amount.tolist(), strict=True):
        kids[p].append((c, a))
        parents[c].append(p)
    own = [tuple(r) for r in g.emissions.tolist()]
    start = time.perf_counter()
    waiting = [len(k) for k in kids]
    order = [p for p in range(n) if not waiting[p]]
    for p in order:  # the list grows while it is walked
        for q in parents[p]:
            waiting[q] -= 1
            if not waiting[q]:
                order.append(q)
    totals: list[tuple[float, float, float, float]] = [(0.0, 0.0, 0.0, 0.0)] * n
    for p in order:
        a0, a1, a2, a3 = own[p]
        for c, amount in kids[p]:
            t0, t1, t2, t3 = totals[c]
            a0, a1, a2, a3 = a0 + amount * t0, a1 + amount * t1, a2 + amount * t2, a3 + amount * t3
        totals[p] = (a0, a1, a2, a3)
    return time.perf_counter() - start, totals


# --- measurement -------------------------------------------------------------------------------------------------


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def incremental(screening: Screening, g: Generated, rng: np.random.Generator, count: int) -> dict[str, Any]:
    """`count` random bought parts each get a revised answer (every figure times 0.5-1.5); time each update."""
    compiled = screening.graph
    chosen = rng.choice(np.flatnonzero(g.bought), count, replace=False)
    seconds, touched = [], []
    for p in chosen.tolist():
        current = compiled.local.answers[[compiled.position(p)]].toarray()[0]
        figures_ = LocalFigures(current * rng.uniform(0.5, 1.5))
        start = time.perf_counter()
        affected = screening.update_answer(p, figures_)
        seconds.append(time.perf_counter() - start)
        touched.append(len(affected))
    return {
        "updates": count,
        "median_ms": statistics.median(seconds) * 1e3,
        "p90_ms": float(np.percentile(seconds, 90)) * 1e3,
        "max_ms": max(seconds) * 1e3,
        "parts_recomputed_median": statistics.median(touched),
        "parts_recomputed_max": max(touched),
    }


def worst_update(screening: Screening, g: Generated, repeats: int = 5) -> dict[str, Any]:
    """The bought part used by the most parents (a commodity): its answer revised `repeats` times."""
    compiled, uses = screening.graph, np.bincount(g.child, minlength=g.part_count)
    part = int(np.flatnonzero(g.bought)[uses[g.bought].argmax()])
    current = compiled.local.answers[[compiled.position(part)]].toarray()[0]
    seconds = []
    for k in range(repeats):
        start = time.perf_counter()
        affected = screening.update_answer(part, LocalFigures(current * (1 + k / 10)))
        seconds.append(time.perf_counter() - start)
    return {
        "part": part,
        "parents": int(uses[part]),
        "parts_recomputed": len(affected),
        "median_ms": statistics.median(seconds) * 1e3,
    }


def footprint_mib(compiled: CompiledGraph) -> float:
    """Memory held by a compiled graph: its arrays, each counted once (level blocks share the graph's arrays)."""
    levels, local = compiled.levels, compiled.local
    arrays = [levels.order, levels.position, levels.bounds, levels.parents_ptr, levels.parents, local.missing]
    for matrix in (levels.edges, local.own, local.answers, local.local, *(b[3] for b in levels.blocks)):
        arrays += [matrix.data, matrix.indices, matrix.indptr]
    bases = {id(base): base for a in arrays if (base := a if a.base is None else a.base) is not None}
    return sum(int(a.nbytes) for a in bases.values()) / 2**20


def exact_comparison(
    g: Generated, screening: Screening, columns: Layout, target: int, rng: np.random.Generator
) -> dict[str, Any]:
    root, parts = pick_subgraph(g, target, rng)
    inputs, ids = supply_inputs(g, parts)
    build_seconds, graph = timed(lambda: SupplyGraph.build(*inputs))
    exact_seconds, _ = timed(lambda: roll_up(graph, ids[root]))
    exact_all_seconds, _ = timed(lambda: [roll_up(graph, part) for part in graph.parts])
    vectorised_seconds, _ = timed(lambda: rollup_all(compile_graph(graph, layout=columns)))
    compiled = compile_graph(graph, layout=columns)
    sub = rollup_all(compiled)
    check_seconds, mismatches = timed(lambda: cross_check(graph, ids[root], 1e-9, screening=sub))
    bulk, exact_row = screening.row(root), sub.row(compiled.index(ids[root]))
    scale = np.maximum(np.abs(bulk), np.abs(exact_row))
    relative = np.divide(np.abs(bulk - exact_row), scale, out=np.zeros_like(scale), where=scale > 0)
    edges = int(sum(len(v) for v in graph.children.values()))
    return {
        "part": root,
        "parts": len(parts),
        "edges": edges,
        "build_s": build_seconds,
        "roll_up_s": exact_seconds,
        "per_million_edges_s": exact_seconds / max(edges, 1) * 1e6,
        "roll_up_every_part_s": exact_all_seconds,
        "vectorised_every_part_s": vectorised_seconds,
        "cross_check_s": check_seconds,
        "mismatches": [str(m) for m in mismatches],
        "bulk_vs_subgraph_max_relative": float(relative.max()),
    }


def run(parts: int, edges: int, seed: int, runs: int, updates: int, subgraph: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed + 1)
    result: dict[str, Any] = {"machine": machine(), "parts": parts, "edges": edges, "seed": seed}
    result["rss_baseline_mib"] = peak_rss_mib()
    result["generate_s"], g = timed(lambda: generate(parts, edges, seed))
    columns = layout()
    own, answered = figures(g, columns)
    result["rss_after_generate_mib"] = peak_rss_mib()
    start = time.perf_counter()
    compiled = CompiledGraph.from_arrays(
        g.parent, g.child, g.amount, part_count=parts, layout=columns, own=own, answers=answered
    )
    result["build_s"] = time.perf_counter() - start
    del own, answered
    result["rss_after_build_mib"] = peak_rss_mib()
    result["depth"] = compiled.depth
    result["roots"] = int((np.bincount(g.child, minlength=parts) == 0).sum())
    result["leaves"], result["bought"] = int((~g.assembly).sum()), int(g.bought.sum())
    result["columns"] = columns.width
    seconds = []
    for _ in range(runs):
        elapsed, screening = timed(lambda: rollup_all(compiled))
        seconds.append(elapsed)
        if len(seconds) < runs:
            del screening
    result["full_s_runs"], result["full_s"] = seconds, statistics.median(seconds)
    result["incremental"] = incremental(screening, g, rng, updates)
    result["worst_update"] = worst_update(screening, g)
    result["compiled_mib"] = footprint_mib(compiled)
    result["screening_mib"] = (compiled.part_count * (columns.width + 2) * 8) / 2**20
    result["rss_peak_mib"] = peak_rss_mib()
    after_updates = screening.totals()
    screening.recompute()
    result["incremental_equals_full_pass"] = bool(np.array_equal(after_updates, screening.totals()))
    del after_updates, screening
    tracemalloc.start()
    screening = rollup_all(compiled)
    result["tracemalloc_peak_mib"] = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    result["python_s"], totals = python_pass(g)
    vectorised = screening.cfp_all()
    reference = np.asarray(totals)
    result["python_vs_vectorised_max_relative"] = float(
        (np.abs(reference - vectorised) / np.maximum(np.abs(vectorised), 1e-300)).max()
    )
    del totals, reference
    result["exact"] = exact_comparison(g, screening, columns, subgraph, rng)
    result["rss_peak_end_mib"] = peak_rss_mib()
    return result


def report(r: dict[str, Any]) -> str:
    inc, worst, ex = r["incremental"], r["worst_update"], r["exact"]
    runs = ", ".join(f"{s:.3f}" for s in r["full_s_runs"])
    checked = "agree within 1e-9" if not ex["mismatches"] else f"MISMATCH: {ex['mismatches'][:3]}"
    indent = " " * 13
    lines = [
        f"machine:     {machine_line(r['machine'])}",
        f"graph:       {r['parts']:,} parts, {r['edges']:,} edges, {r['depth']} levels (longest path "
        f"{r['depth'] - 1} edges), {r['roots']} roots, {r['leaves']:,} leaves ({r['bought']:,} bought), "
        f"{r['columns']} figures per part, seed {r['seed']}",
        f"generate:    {r['generate_s']:.2f} s",
        f"build:       {r['build_s']:.3f} s (level by height, CSR per level, reverse adjacency, local figures)",
        f"full:        {r['full_s']:.3f} s median of {len(r['full_s_runs'])} ({runs})   target ≤ 0.25 s",
        f"peak RSS:    {r['rss_peak_mib']:.0f} MiB (getrusage: generate + build + roll-ups + updates; "
        f"{r['rss_baseline_mib']:.0f} MiB after imports)   target ≤ 512 MiB",
        f"tracemalloc: {r['tracemalloc_peak_mib']:.0f} MiB peak of one rollup_all; held: compiled graph "
        f"{r['compiled_mib']:.0f} MiB, one screening {r['screening_mib']:.0f} MiB",
        f"incremental: median {inc['median_ms']:.2f} ms, p90 {inc['p90_ms']:.2f} ms, max {inc['max_ms']:.2f} ms "
        f"over {inc['updates']} answers changed; parts recomputed median {inc['parts_recomputed_median']:.0f}, "
        f"max {inc['parts_recomputed_max']:,}   target ≤ 10 ms",
        f"{indent}most widely used bought part ({worst['parents']:,} parents): median {worst['median_ms']:.1f} ms, "
        f"{worst['parts_recomputed']:,} parts recomputed",
        f"{indent}after the updates, bit-identical to a full pass: {r['incremental_equals_full_pass']}",
        f"python:      {r['python_s']:.2f} s plain-Python Kahn + CFP per stage only (4 of {r['columns']} "
        f"figures); max relative difference to the vectorised CFP {r['python_vs_vectorised_max_relative']:.1e}",
        f"exact:       upstream of part {ex['part']}: {ex['parts']:,} parts, {ex['edges']:,} edges; "
        f"SupplyGraph.build {ex['build_s']:.2f} s, roll_up (Decimal) {ex['roll_up_s']:.3f} s "
        f"= {ex['per_million_edges_s']:.0f} s per 1M edges for one part",
        f"{indent}every part of the subgraph: exact {ex['roll_up_every_part_s']:.2f} s, vectorised "
        f"(compile_graph + rollup_all) {ex['vectorised_every_part_s']:.3f} s",
        f"{indent}cross_check: {checked} ({ex['cross_check_s']:.3f} s); that part in the whole-graph screening "
        f"vs in the subgraph's: max relative difference {ex['bulk_vs_subgraph_max_relative']:.1e}",
        f"peak RSS at end (with the comparisons): {r['rss_peak_end_mib']:.0f} MiB",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="2,500 parts and 10,000 edges")
    parser.add_argument("--parts", type=int, default=250_000)
    parser.add_argument("--edges", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20251125)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    parts, edges = (2_500, 10_000) if args.quick else (args.parts, args.edges)
    result = run(parts, edges, args.seed, runs=5, updates=100, subgraph=min(1_000, parts // 3))
    print(report(result))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
