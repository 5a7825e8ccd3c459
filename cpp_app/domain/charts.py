"""Server-rendered SVG charts from plain data: no scripts, no external references, every text escaped.

Inline SVG under the site's CSP (default-src 'self') may not carry `style` attributes or `<style>`, so the
markup uses presentation attributes only. Bars are horizontal: indicator titles are long Russian phrases
that read badly rotated under vertical bars.
"""
import functools
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from ..kernel.xml_text import xml_safe

# Dark on white, readable in the high-contrast version too (track outline 12.6:1, bar 8.6:1 against white).
TEXT_COLOUR = "#1b1f24"
BAR_COLOUR = "#1f4e8c"
TRACK_FILL = "#ffffff"
TRACK_STROKE = "#1b1f24"
FONT = "DejaVu Sans, Arial, sans-serif"

LABEL_CHARS = 34  # per line of an indicator title, at FONT_SIZE in the label column
LABEL_LINES = 3
FONT_SIZE = 14
LINE_HEIGHT = 17
BAR_THICKNESS = 22
ROW_GAP = 14
PADDING = 10
LABEL_WIDTH = 310
VALUE_WIDTH = 80

@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    maximum: float


def _text(value: str) -> str:
    return escape(xml_safe(value), quote=True)


def _number(value: float) -> str:
    """3 → «3», 2.5 → «2,5»: how figures are written in Russian."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.1f}".replace(".", ",")


def _coordinate(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _lines(label: str) -> list[str]:
    lines = textwrap.wrap(" ".join(label.split()), LABEL_CHARS, break_long_words=True) or [""]
    if len(lines) > LABEL_LINES:
        lines = lines[:LABEL_LINES]
        lines[-1] = lines[-1][: LABEL_CHARS - 1].rstrip() + "…"
    return lines


def value_text(bar: Bar) -> str:
    return f"{_number(bar.value)} из {_number(bar.maximum)}"


def bar_chart(bars: Sequence[Bar], *, title: str, description: str, chart_id: str = "chart", width: int = 720) -> str:
    """One horizontal bar per item on a common scale: a filled bar for the value over an outlined track
    for the maximum, the title at the left and «value из maximum» at the right.

    `title` and `description` become the SVG's <title> and <desc>, its accessible name and description.
    """
    for bar in bars:
        if bar.maximum < 0 or not 0 <= bar.value <= bar.maximum:
            raise ValueError(f"a bar needs 0 ≤ value ≤ maximum, got {bar.value} of {bar.maximum} for {bar.label!r}")
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", chart_id):
        raise ValueError(f"chart_id must be a plain identifier, got {chart_id!r}")
    scale_maximum = max((bar.maximum for bar in bars), default=0)
    track_width = width - LABEL_WIDTH - VALUE_WIDTH - 2 * PADDING
    unit = track_width / scale_maximum if scale_maximum else 0
    x_track = PADDING + LABEL_WIDTH

    rows, y = [], PADDING
    for bar in bars:
        lines = _lines(bar.label)
        row_height = max(BAR_THICKNESS, len(lines) * LINE_HEIGHT)
        bar_y = y + (row_height - BAR_THICKNESS) / 2
        first_baseline = y + (row_height - len(lines) * LINE_HEIGHT) / 2 + FONT_SIZE
        spans = "".join(
            f'<tspan x="{PADDING}" y="{_coordinate(first_baseline + number * LINE_HEIGHT)}">{_text(line)}</tspan>'
            for number, line in enumerate(lines)
        )
        rows.append(
            f'<g class="chart-row"><title>{_text(bar.label)}: {_text(value_text(bar))}</title>'
            f'<text font-size="{FONT_SIZE}">{spans}</text>'
            f'<rect class="chart-track" x="{x_track}" y="{_coordinate(bar_y)}" width="{_coordinate(bar.maximum * unit)}" '
            f'height="{BAR_THICKNESS}" fill="{TRACK_FILL}" stroke="{TRACK_STROKE}" stroke-width="1"/>'
            f'<rect class="chart-bar" x="{x_track}" y="{_coordinate(bar_y)}" width="{_coordinate(bar.value * unit)}" '
            f'height="{BAR_THICKNESS}" fill="{BAR_COLOUR}"/>'
            f'<text x="{_coordinate(x_track + track_width + 8)}" y="{_coordinate(bar_y + BAR_THICKNESS - 6)}" '
            f'font-size="{FONT_SIZE}" font-weight="bold">{_text(value_text(bar))}</text></g>'
        )
        y += row_height + ROW_GAP
    if not bars:
        rows.append(f'<text x="{PADDING}" y="{PADDING + FONT_SIZE}" font-size="{FONT_SIZE}">Нет данных</text>')
        y += LINE_HEIGHT + ROW_GAP
    height = y - ROW_GAP + PADDING
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart keep" role="img" focusable="false" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" viewBox="0 0 {width} {_coordinate(height)}" '
        f'width="{width}" height="{_coordinate(height)}" font-family="{_text(FONT)}" fill="{TEXT_COLOUR}">'
        f'<title id="{chart_id}-title">{_text(title)}</title><desc id="{chart_id}-desc">{_text(description)}</desc>'
        f'{"".join(rows)}</svg>'
    )


# --- trends --------------------------------------------------------------------------------------------------

TREND_HEIGHT = 220
TREND_LEFT = 56
TREND_BOTTOM = 36
MONTHS_SHORT = ("янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек")


def month_label(month) -> str:
    """date(2026, 11, 1) → «ноя 2026»."""
    return f"{MONTHS_SHORT[month.month - 1]} {month.year}"


@dataclass(frozen=True)
class TargetLine:
    """A horizontal dashed line across a trend at a target value, with its label («ориентир 2026: 50 %»)."""

    value: float
    label: str


def trend_chart(points: Sequence[tuple], title: str, *, chart_id: str = "trend", width: int = 720,
                target: TargetLine | None = None) -> str:
    """A line over months with a dot and its value at every point, the scale starting at zero; with `target`, a
    dashed line at the target value (the scale reaches it too).

    `points` are (month date, value) in month order; the page shows the same figures as a table beside it."""
    return _trend_svg(tuple(points), title, chart_id, width, target)


# The trends page draws about 25 of these from figures that change once a month: drawn once per process.
@functools.lru_cache(maxsize=1024)
def _trend_svg(points: tuple[tuple, ...], title: str, chart_id: str, width: int, target: TargetLine | None) -> str:
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", chart_id):
        raise ValueError(f"chart_id must be a plain identifier, got {chart_id!r}")
    top = PADDING + FONT_SIZE
    plot_height = TREND_HEIGHT - top - TREND_BOTTOM
    plot_width = width - TREND_LEFT - 2 * PADDING
    maximum = max([value for _, value in points] + ([target.value] if target else []), default=0) or 1
    step = plot_width / (len(points) - 1) if len(points) > 1 else 0

    def x(number: int) -> float:
        return TREND_LEFT + (step * number if len(points) > 1 else plot_width / 2)

    def y(value: float) -> float:
        return top + plot_height - value / maximum * plot_height

    baseline = top + plot_height
    parts = [
        f'<line x1="{TREND_LEFT}" y1="{_coordinate(baseline)}" x2="{_coordinate(TREND_LEFT + plot_width)}" '
        f'y2="{_coordinate(baseline)}" stroke="{TRACK_STROKE}" stroke-width="1"/>',
        f'<text x="{TREND_LEFT - 6}" y="{_coordinate(baseline + 4)}" font-size="{FONT_SIZE - 2}" text-anchor="end">0</text>',
    ]
    if target is not None:
        parts.append(
            f'<g class="chart-target"><title>{_text(target.label)}</title>'
            f'<line x1="{TREND_LEFT}" y1="{_coordinate(y(target.value))}" x2="{_coordinate(TREND_LEFT + plot_width)}" '
            f'y2="{_coordinate(y(target.value))}" stroke="{TRACK_STROKE}" stroke-width="1.5" stroke-dasharray="6 4"/>'
            f'<text x="{_coordinate(TREND_LEFT + plot_width)}" y="{_coordinate(y(target.value) - 6)}" '
            f'font-size="{FONT_SIZE - 2}" text-anchor="end">{_text(target.label)}</text></g>'
        )
    if len(points) > 1:
        path = " ".join(f"{_coordinate(x(n))},{_coordinate(y(v))}" for n, (_, v) in enumerate(points))
        parts.append(f'<polyline class="chart-line" points="{path}" fill="none" stroke="{BAR_COLOUR}" stroke-width="2.5"/>')
    for number, (month, value) in enumerate(points):
        label = f"{month_label(month)}: {_number(value)}"
        parts.append(
            f'<g class="chart-point"><title>{_text(label)}</title>'
            f'<circle cx="{_coordinate(x(number))}" cy="{_coordinate(y(value))}" r="4" fill="{BAR_COLOUR}"/>'
            f'<text x="{_coordinate(x(number))}" y="{_coordinate(y(value) - 8)}" font-size="{FONT_SIZE - 2}" '
            f'text-anchor="middle" font-weight="bold">{_text(_number(value))}</text>'
            f'<text x="{_coordinate(x(number))}" y="{_coordinate(baseline + 18)}" font-size="{FONT_SIZE - 2}" '
            f'text-anchor="middle">{_text(month_label(month))}</text></g>'
        )
    if not points:
        parts.append(f'<text x="{TREND_LEFT}" y="{_coordinate(top + plot_height / 2)}" font-size="{FONT_SIZE}">Нет данных</text>')
    description = "; ".join(f"{month_label(m)}: {_number(v)}" for m, v in points) or "Нет данных"
    if target is not None:
        description += f"; {target.label}"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart keep" role="img" focusable="false" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" viewBox="0 0 {width} {TREND_HEIGHT}" '
        f'width="{width}" height="{TREND_HEIGHT}" font-family="{_text(FONT)}" fill="{TEXT_COLOUR}">'
        f'<title id="{chart_id}-title">{_text(title)}</title><desc id="{chart_id}-desc">{_text(description)}</desc>'
        f'{"".join(parts)}</svg>'
    )
