"""The access-level table covers every field, follows Art. 77(2) and is rendered into the docs."""

from __future__ import annotations

from pathlib import Path

from passbridge.passport.access import ACCESS_RULES, POINTS_OF_ROLE, AccessLevel, AnnexPoint, Role, level_of, rule_for
from passbridge.passport.access_docs import render_access_levels
from passbridge.passport.battery_pass import BATTERY_PASS
from passbridge.passport.spec import iter_leaves, iter_nodes

DOCS = Path(__file__).resolve().parents[3] / "docs" / "access-levels.md"


def test_every_leaf_of_the_model_has_exactly_one_deciding_rule() -> None:
    leaves = [path for path, _ in iter_leaves(BATTERY_PASS)]
    assert len(leaves) > 300
    for path in leaves:
        assert rule_for(path).path in {path, *(path.rsplit(".", i)[0] for i in range(1, path.count(".") + 1))}


def test_every_rule_names_a_subtree_of_the_model_and_cites_the_regulation() -> None:
    paths = {path for path, _ in iter_nodes(BATTERY_PASS)}
    for rule in ACCESS_RULES:
        assert rule.path in paths, rule.path
        assert rule.citation.strip()
        assert ("Annex" in rule.citation or "Art." in rule.citation) or rule.point is AnnexPoint.OWNER


def test_roles_read_the_points_article_77_gives_them() -> None:
    p1, p2, p3, p4, own = AnnexPoint
    assert POINTS_OF_ROLE[Role.ANONYMOUS] == {p1}
    assert POINTS_OF_ROLE[Role.LEGITIMATE_INTEREST] == POINTS_OF_ROLE[Role.RECYCLER] == {p1, p2, p4}
    assert POINTS_OF_ROLE[Role.NOTIFIED_BODY] == POINTS_OF_ROLE[Role.MARKET_SURVEILLANCE] == {p1, p2, p3}
    assert POINTS_OF_ROLE[Role.COMMISSION] == {p1, p2, p3, p4}
    assert POINTS_OF_ROLE[Role.OWNER] == {p1, p2, p3, p4, own}


def test_key_fields_have_the_levels_of_annex_xiii() -> None:
    assert level_of("sustainability.carbonFootprint.value") is AccessLevel.PUBLIC  # 1(c)
    assert level_of("materials.active.cobalt.recycled") is AccessLevel.PUBLIC  # 1(e)
    assert level_of("materials.composition.concentration") is AccessLevel.LEGITIMATE_INTEREST  # 2(a)
    assert level_of("safety.dismantling.content") is AccessLevel.LEGITIMATE_INTEREST  # 2(c)
    assert level_of("conformity.resultOfTestReport.content") is AccessLevel.AUTHORITY  # 3
    assert level_of("performance.dynamic.stateOfCharge.value") is AccessLevel.LEGITIMATE_INTEREST  # 4(d)
    assert level_of("sustainability.status") is AccessLevel.LEGITIMATE_INTEREST  # 4(c)
    assert level_of("x-passbridge.owner.procurement.quantity") is AccessLevel.OWNER


def test_docs_show_the_current_table() -> None:
    assert DOCS.read_text(encoding="utf-8") == render_access_levels(), (
        "run: passbridge docs access-levels -o docs/access-levels.md"
    )
