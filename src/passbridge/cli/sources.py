"""What `passbridge passport import` reads: JSON Lines files (as batches of byte ranges), JSON files, directories.

Layout: `read_lines` (a file's lines, streamed) · `JsonlFile` (a `ChunkedLines` of `FileSlice`s) · `FileSlice` (a
byte range of whole lines, read where it is used) · `open_source` (a path → its resume key, line count and lines).

Why byte ranges: with worker processes, shipping each batch's lines through a pipe cost the importing process
~10 µs of CPU per passport, and the workers waited for it; a `FileSlice` pickles as (path, start, end, count), and
the worker reads its ~9 MB from the page cache itself.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, overload

from passbridge.errors import InvalidInput
from passbridge.passport.bulk import ChunkedLines

BLOCK = 1 << 22
"""Bytes read at a time (4 MiB: much cheaper than line-by-line reads)."""


def read_lines(path: Path, chunk: int = BLOCK) -> Iterator[bytes]:
    """Lines of a file without their line ends."""
    rest = b""
    with path.open("rb") as handle:
        while block := handle.read(chunk):
            lines = (rest + block).split(b"\n")
            rest = lines.pop()
            yield from lines
    if rest:
        yield rest


class FileSlice(Sequence[bytes]):
    """`count` consecutive lines of a file, bytes `start` to `end`; read on first use."""

    def __init__(self, path: Path, start: int, end: int, count: int) -> None:
        self.path, self.start, self.end, self.total = path, start, end, count
        self._lines: list[bytes] | None = None

    def __reduce__(self) -> tuple[type[FileSlice], tuple[Path, int, int, int]]:
        return FileSlice, (self.path, self.start, self.end, self.total)  # never the lines themselves

    def _read(self) -> list[bytes]:
        if self._lines is None:
            with self.path.open("rb") as handle:
                handle.seek(self.start)
                data = handle.read(self.end - self.start)
            lines = data.split(b"\n")
            if data.endswith(b"\n"):
                lines.pop()
            if len(lines) != self.total:
                raise InvalidInput.at("FILE", f"{self.path} changed while it was being imported")
            self._lines = lines
        return self._lines

    def __len__(self) -> int:
        return self.total

    @overload
    def __getitem__(self, index: int) -> bytes: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[bytes]: ...

    def __getitem__(self, index: Any) -> Any:
        return self._read()[index]

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._read())


class JsonlFile(ChunkedLines):
    """A JSON Lines file handed out as `FileSlice`s: this process only finds where batches begin."""

    def __init__(self, path: Path, block: int = BLOCK) -> None:
        self.path, self._block = path, block

    def chunks(self, skip: int, size: int) -> Iterator[FileSlice]:
        start = offset = line_end = 0  # where the chunk begins, the block begins, the last line ended
        skipped = taken = 0
        with self.path.open("rb") as handle:
            while block := handle.read(self._block):
                at = 0
                while (newline := block.find(b"\n", at)) != -1:
                    at = newline + 1
                    line_end = offset + at
                    if skipped < skip:
                        skipped, start = skipped + 1, line_end
                        continue
                    taken += 1
                    if taken == size:
                        yield FileSlice(self.path, start, line_end, taken)
                        start, taken = line_end, 0
                offset += len(block)
        if offset > line_end:  # a last line without its line end
            if skipped < skip:
                return
            taken += 1
        if taken:
            yield FileSlice(self.path, start, offset, taken)


def open_source(path: Path) -> tuple[str, int, ChunkedLines | Iterator[bytes]]:
    """(resume key, number of lines, the lines) for a .jsonl file, a .json file or a directory of .json files.

    Raises:
        InvalidInput: for any other path.
    """
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix == ".json" and p.is_file())
        return f"dir:{path.resolve()}", len(files), (f.read_bytes().replace(b"\n", b" ") for f in files)
    if path.suffix == ".jsonl":
        with path.open("rb") as handle:
            total = sum(block.count(b"\n") for block in iter(lambda: handle.read(BLOCK), b""))
        return f"jsonl:{path.resolve()}", total, JsonlFile(path)
    if path.suffix == ".json":
        return f"json:{path.resolve()}", 1, iter([path.read_bytes().replace(b"\n", b" ")])
    raise InvalidInput.at("FILE", f"{path} is not a .jsonl file, a .json file or a directory")


__all__ = ["BLOCK", "FileSlice", "JsonlFile", "open_source", "read_lines"]
