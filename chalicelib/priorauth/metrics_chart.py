"""The metrics page's charts as geometry: bars per period, standard and expedited side by side, in SVG units.

Pure: the page's template draws what this returns (server-rendered SVG, no script, no charting library);
the table under each chart carries the same numbers for screen readers and print.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from chalicelib.priorauth.metrics import PeriodFigures

WIDTH, HEIGHT = 720, 240
LEFT, BOTTOM, TOP = 48, 36, 12
URGENCIES = ("STANDARD", "EXPEDITED")


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    urgency: str
    value: float
    label: str


@dataclass(frozen=True)
class Chart:
    title: str
    unit: str
    bars: tuple[Bar, ...]
    periods: tuple[tuple[float, str], ...]
    """Each period's label and the x of its middle."""
    ticks: tuple[tuple[float, str], ...]
    """The value axis: the y of each tick and its words."""
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    baseline: float = HEIGHT - BOTTOM


def bar_chart(lines: Iterable[PeriodFigures], value: Callable[[PeriodFigures], float | None], title: str,
              unit: str) -> Chart:
    """Two bars per period (standard, expedited), scaled to the largest value; no bar where there is no value."""
    by_period: dict[str, dict[str, float | None]] = {}
    for line in lines:
        by_period.setdefault(line.period, {})[line.urgency] = value(line)
    periods = list(by_period)
    top = max((v for values in by_period.values() for v in values.values() if v), default=0.0)
    scale_top = 4 * _nice(top / 4)  # four equal steps, each a round number
    plot_height = HEIGHT - BOTTOM - TOP
    slot = (WIDTH - LEFT) / max(len(periods), 1)
    bar_width = min(24.0, slot * 0.35)
    bars = []
    for index, period in enumerate(periods):
        middle = LEFT + slot * (index + 0.5)
        for offset, urgency in zip((-bar_width, 0.0), URGENCIES, strict=True):
            amount = by_period[period].get(urgency)
            if amount is None:
                continue
            height = plot_height * amount / scale_top if scale_top else 0.0
            bars.append(Bar(round(middle + offset, 1), round(HEIGHT - BOTTOM - height, 1), round(bar_width, 1),
                            round(height, 1), urgency, amount, f"{period} {urgency.lower()}: {_words(amount)} {unit}"))
    ticks = tuple((round(HEIGHT - BOTTOM - plot_height * step / 4, 1), _words(scale_top * step / 4))
                  for step in range(5))
    return Chart(title, unit, tuple(bars), tuple((round(LEFT + slot * (i + 0.5), 1), p) for i, p in
                                                 enumerate(periods)), ticks)


def _nice(value: float) -> float:
    """A round top for the axis: 1, 2 or 5 times a power of ten, at least the value."""
    if value <= 0:
        return 0.0
    magnitude = 1.0
    while magnitude * 10 <= value:
        magnitude *= 10
    while magnitude > value:
        magnitude /= 10
    return next(step * magnitude for step in (1, 2, 5, 10) if step * magnitude >= value)


def _words(amount: float) -> str:
    return f"{amount:,.0f}" if float(amount).is_integer() else f"{amount:,.1f}"
