"""Properties: projections only remove, more rights see more, exact JSON keeps every digit."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings, strategies as st

from passbridge.jsoncodec import dumps_exact, loads_exact
from passbridge.passport.access import POINTS_OF_ROLE, Role
from passbridge.passport.samples import sample_passport
from passbridge.passport.views import project

DOC = sample_passport(1, with_owner_data=True)


def _leaves(value: Any, prefix: str = "") -> set[tuple[str, str]]:
    if isinstance(value, dict):
        return {leaf for k, v in value.items() for leaf in _leaves(v, f"{prefix}.{k}")}
    if isinstance(value, list):
        return {leaf for i, v in enumerate(value) for leaf in _leaves(v, f"{prefix}[{i}]")}
    return {(prefix, repr(value))}


def test_a_projection_only_removes_and_more_rights_see_more() -> None:
    everything = _leaves(DOC)
    seen = {role: _leaves(project(DOC, role)) for role in Role}
    for role in Role:
        assert seen[role] <= everything
        for other in Role:
            if POINTS_OF_ROLE[role] <= POINTS_OF_ROLE[other]:
                assert seen[role] <= seen[other], (role, other)
    assert seen[Role.OWNER] == everything


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**30), 10**30)
    | st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**12), max_value=10**12)
    | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300)
@given(json_values)
def test_exact_json_round_trips_every_value(value: Any) -> None:
    text = dumps_exact(value)
    back = loads_exact(text)
    assert back == value
    assert dumps_exact(back) == text
