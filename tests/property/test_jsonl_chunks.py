"""`JsonlFile` hands out exactly the lines `read_lines` reads, in batches of byte ranges, from any resume point."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from passbridge.cli.sources import FileSlice, JsonlFile, read_lines
from passbridge.errors import InvalidInput

LINES = st.lists(st.binary(max_size=12).map(lambda b: b.replace(b"\n", b"")), max_size=40)


@settings(max_examples=300, deadline=None)
@given(
    lines=LINES, final_newline=st.booleans(), skip=st.integers(0, 45), size=st.integers(1, 7), block=st.integers(1, 9)
)
def test_chunks_are_the_lines_after_skip_in_batches(
    tmp_path_factory: pytest.TempPathFactory, lines: list[bytes], final_newline: bool, skip: int, size: int, block: int
) -> None:
    path = tmp_path_factory.mktemp("jsonl") / "p.jsonl"
    path.write_bytes(b"\n".join(lines) + (b"\n" if final_newline and lines else b""))
    expected = list(read_lines(path))[skip:]
    chunks = list(JsonlFile(path, block=block).chunks(skip, size))  # tiny blocks: lines straddle block ends
    assert [len(chunk) for chunk in chunks[:-1]] == [size] * (len(chunks) - 1)
    assert all(0 < len(chunk) <= size for chunk in chunks)
    assert [line for chunk in chunks for line in pickle.loads(pickle.dumps(chunk))] == expected


def test_a_slice_pickles_as_its_byte_range_and_reads_the_file_where_it_is_used(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_bytes(b'{"a":1}\n{"b":2}\r\n\n{"c":3}')
    (chunk,) = JsonlFile(path).chunks(0, 10)
    assert len(pickle.dumps(chunk)) < 200
    assert list(pickle.loads(pickle.dumps(chunk))) == [b'{"a":1}', b'{"b":2}\r', b"", b'{"c":3}']
    path.write_bytes(b'{"a":1}\n')  # the file changed under the import: refused, not misnumbered
    with pytest.raises(InvalidInput, match="changed"):
        list(FileSlice(path, chunk.start, chunk.end, len(chunk)))
