"""A small chart of lesion size and depth over time, from the assessments logged for a case.

Bars of block characters with the number beside them: readable in monochrome and over SSH.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rich.console import Console, ConsoleOptions, RenderResult
from rich.text import Text
from textual.widgets import Static

_EIGHTHS = " ▏▎▍▌▋▊▉"


@dataclass(frozen=True, slots=True)
class Measurement:
    date: date
    size_mm: float | None
    depth_mm: float | None


def measurements(events) -> list[Measurement]:
    """Assessments that measured something, oldest first (voided ones count for nothing)."""
    found = [
        Measurement(e.date, e.size_mm, e.depth_mm)
        for e in events
        if e.kind == "assessment" and not e.voided and (e.size_mm is not None or e.depth_mm is not None)
    ]
    return sorted(found, key=lambda m: m.date)


def bar(value: float | None, largest: float, width: int) -> str:
    """A horizontal bar `width` cells long at `largest`, in eighths of a cell."""
    if value is None:
        return "–".ljust(width)
    if largest <= 0:
        return "".ljust(width)
    eighths = round(value / largest * width * 8)
    full, part = divmod(eighths, 8)
    text = "█" * full + (_EIGHTHS[part] if part else "")
    return text.ljust(width)


def number(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:g}"


def trend(values: list[float]) -> str:
    if len(values) < 2:
        return "one measurement"
    first, last = values[0], values[-1]
    if last < first:
        word = "smaller"
    elif last > first:
        word = "LARGER"
    else:
        word = "unchanged"
    return f"{number(first)} → {number(last)} mm, {word}"


class ChartRenderable:
    """Lays the bars out for whatever width the chart is given."""

    def __init__(self, rows: list[Measurement]) -> None:
        self.rows = rows

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        rows = self.rows
        if not rows:
            yield Text("No measured assessments yet (log an assessment with size and depth).", style="dim")
            return
        # date(10) + 2 x (gap + bar + gap + number(6))
        bar_width = max((options.max_width - 10 - 2 * 8) // 2, 4)
        largest_size = max((m.size_mm or 0 for m in rows), default=0)
        largest_depth = max((m.depth_mm or 0 for m in rows), default=0)
        header = Text(" " * 11 + "size (mm)".ljust(bar_width + 8) + "depth (mm)", style="bold")
        yield header
        for m in rows:
            line = Text(m.date.isoformat() + " ")
            line.append(bar(m.size_mm, largest_size, bar_width), style="cyan")
            line.append(" " + number(m.size_mm).rjust(6) + " ")
            line.append(bar(m.depth_mm, largest_depth, bar_width), style="magenta")
            line.append(" " + number(m.depth_mm).rjust(6))
            yield line
        sizes = [m.size_mm for m in rows if m.size_mm is not None]
        depths = [m.depth_mm for m in rows if m.depth_mm is not None]
        summary = []
        if sizes:
            summary.append("size " + trend(sizes))
        if depths:
            summary.append("depth " + trend(depths))
        yield Text(" · ".join(summary), style="italic")


class LesionChart(Static):
    DEFAULT_CSS = """
    LesionChart { height: auto; }
    """

    def show(self, events) -> None:
        self.update(ChartRenderable(measurements(events)))
