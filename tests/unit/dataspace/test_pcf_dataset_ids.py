"""`offers.pcf_trace_id`: one canonical dataset id per part, anything else is no PCF dataset."""

from __future__ import annotations

import uuid

import pytest

from passbridge.dataspace.offers import pcf_trace_id

PART = uuid.UUID("0b7c8f0e-1a2b-4c3d-9e8f-0a1b2c3d4e5f")


def test_the_canonical_urn_names_the_part() -> None:
    assert pcf_trace_id(f"urn:uuid:{PART}") == PART


@pytest.mark.parametrize(
    "dataset_id",
    [
        f"urn:uuid:{str(PART).upper()}",  # another spelling of the same UUID
        f"urn:uuid:{PART.hex}",
        str(PART),
        "urn:uuid:not-a-uuid",
        "urn:passbridge:digital-twin-registry",
        "",
    ],
)
def test_any_other_id_names_no_part(dataset_id: str) -> None:
    assert pcf_trace_id(dataset_id) is None
