"""Per-stage progress lines with timings, on stderr so stdout stays for results."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from rich.console import Console

console = Console(stderr=True, highlight=False)


@dataclass
class StageLog:
    """Collects (stage, seconds, detail) so the caller can print a summary."""

    timings: list[tuple[str, float, str]] = field(default_factory=list)

    @contextmanager
    def stage(self, name: str) -> Iterator[StageHandle]:
        handle = StageHandle(name)
        started = time.perf_counter()
        with console.status(f"[bold]{name}[/bold] …") as status:
            handle.status = status
            yield handle
        self.record(name, time.perf_counter() - started, handle.detail)

    def record(self, name: str, seconds: float, detail: str = "") -> None:
        """A finished stage's line (also for a stage timed elsewhere, e.g. in a thread)."""
        self.timings.append((name, seconds, detail))
        shown = f"  {detail}" if detail else ""
        console.print(f"[green]✓[/green] {name:<10} {seconds:6.1f} s{shown}")


@dataclass
class StageHandle:
    name: str
    detail: str = ""
    status: object | None = None

    def update(self, message: str) -> None:
        """Show what the stage is doing now (a spinner line on a terminal)."""
        if self.status is not None:
            self.status.update(f"[bold]{self.name}[/bold] {message}")
