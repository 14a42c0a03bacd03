"""Pictures drawn on the server: the geometry of small SVG charts, with their numbers.

Pure functions, no ORM: the view passes what to draw, a template writes the SVG, and
every number the chart shows is also written as text in it and in its description.
"""

from dataclasses import dataclass

# The verdict chart: one row per rating, its label above a bar, the count beside it.
WIDTH = 360
ROW = 46  # height of one row: label, bar and the space after them
LABEL_BASELINE = 15
BAR_TOP = 21
BAR_HEIGHT = 16
COUNT_SPACE = 78  # room kept right of the longest bar for "12 · 100%"


@dataclass(frozen=True)
class Bar:
    label: str
    colour: str
    count: int
    share: int  # whole percent of all approved verdicts
    top: int
    width: int

    @property
    def label_y(self) -> int:
        return self.top + LABEL_BASELINE

    @property
    def bar_y(self) -> int:
        return self.top + BAR_TOP

    @property
    def count_x(self) -> int:
        return self.width + 6 if self.width else 0

    @property
    def count_y(self) -> int:
        return self.bar_y + BAR_HEIGHT - 3


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    total: int
    width: int = WIDTH
    bar_height: int = BAR_HEIGHT

    @property
    def height(self) -> int:
        return len(self.bars) * ROW

    @property
    def description(self) -> str:
        parts = [f"{bar.label}: {bar.count}" for bar in self.bars]
        return f"{self.total} approved in all. " + "; ".join(parts) + "."


def verdict_chart(rows: list[tuple[str, str, int]]) -> BarChart:
    """Bars for (label, colour, count) rows, in the order given (the scale's order).

    The longest bar fills the width left after the count; a zero count has no bar
    but keeps its row and its "0", so the scale reads the same every day.
    """
    total = sum(count for _, _, count in rows)
    longest = max((count for _, _, count in rows), default=0)
    room = WIDTH - COUNT_SPACE
    bars = []
    for i, (label, colour, count) in enumerate(rows):
        width = round(room * count / longest) if longest else 0
        if count and width < 2:
            width = 2  # a count of one among thousands still shows
        share = round(100 * count / total) if total else 0
        bars.append(Bar(label, colour, count, share, top=i * ROW, width=width))
    return BarChart(bars=bars, total=total)
