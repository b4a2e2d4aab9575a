"""The metrics charts' geometry: two bars per period, scaled to round steps, no bar where there is no value."""

from chalicelib.priorauth.metrics import PeriodFigures
from chalicelib.priorauth.metrics_chart import BOTTOM, HEIGHT, bar_chart


def line(period, urgency, decided, median=None):
    return PeriodFigures(period, urgency, decided, decided, 0, 0, 0, 100.0, 0.0, 0.0, median, median)


def test_bars_are_scaled_to_four_round_steps_and_labelled():
    lines = [line("2031-01", "STANDARD", 4, 30.0), line("2031-01", "EXPEDITED", 1, 125.0),
             line("2031-02", "STANDARD", 2, None), line("2031-02", "EXPEDITED", 0, None)]
    decided = bar_chart(lines, lambda item: item.decided, "Decisions", "decisions")
    assert [words for _, words in decided.ticks] == ["0", "1", "2", "3", "4"]
    tallest = max(decided.bars, key=lambda bar: bar.height)
    assert (tallest.label, tallest.y + tallest.height) == ("2031-01 standard: 4 decisions", HEIGHT - BOTTOM)
    assert [label for _, label in decided.periods] == ["2031-01", "2031-02"]

    hours = bar_chart(lines, lambda item: item.median_hours_to_decision, "Median hours", "hours")
    assert [words for _, words in hours.ticks] == ["0", "50", "100", "150", "200"]
    assert [bar.label for bar in hours.bars] == ["2031-01 standard: 30 hours", "2031-01 expedited: 125 hours"]


def test_no_decisions_draw_no_bars_and_a_flat_axis():
    chart = bar_chart([line("2031-03", "STANDARD", 0)], lambda item: item.decided, "Decisions", "decisions")
    assert all(bar.height == 0 for bar in chart.bars)
    assert {words for _, words in chart.ticks} == {"0"}
