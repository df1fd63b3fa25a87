"""How the demo tells its story: short sections of narrated lines and small tables, on the terminal.

Every line is also kept (`Narrator.lines`), so a story step can be checked by what it said.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.console import Console
from rich.table import Table


class Narrator:
    """Prints the story: `section` headings, `say` lines (plain text, no markup), `table` rows."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(soft_wrap=True, highlight=False, emoji=False)
        self.lines: list[str] = []

    def section(self, title: str) -> None:
        """Start a chapter of the story."""
        self.lines.append(f"## {title}")
        self.console.rule(f"[bold]{title}[/bold]")

    def say(self, text: str) -> None:
        """One narrated line."""
        self.lines.append(text)
        self.console.print(text, markup=False)

    def say_all(self, texts: Iterable[str]) -> None:
        """Several narrated lines (e.g. what a hook returned)."""
        for text in texts:
            self.say(text)

    def table(self, title: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
        """A small table (its rows are kept as ``a | b | c`` lines)."""
        table = Table(*header, title=title)
        for row in rows:
            table.add_row(*row)
            self.lines.append(" | ".join(row))
        self.console.print(table)


__all__ = ["Narrator"]
