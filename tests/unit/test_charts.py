"""The server-rendered SVG bar chart: well-formed, escaped, proportional, inert."""
import xml.etree.ElementTree as ET
from datetime import date

import pytest

from cpp_app.domain.charts import TREND_HEIGHT, Bar, TargetLine, bar_chart, trend_chart

SVG = "{http://www.w3.org/2000/svg}"


def render(bars, **kwargs):
    kwargs.setdefault("title", "Баллы по показателям")
    kwargs.setdefault("description", "Описание")
    return bar_chart(bars, **kwargs)


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)


def rects(root, css_class):
    return [rect for rect in root.iter(f"{SVG}rect") if rect.get("class") == css_class]


def test_the_chart_is_well_formed_and_accessible():
    root = parse(render([Bar("Сферум", 2, 3), Bar("Интернет", 1, 1)], chart_id="result-chart-7"))
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert "keep" in root.get("class").split()
    assert root.get("aria-labelledby") == "result-chart-7-title result-chart-7-desc"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert (title.get("id"), title.text) == ("result-chart-7-title", "Баллы по показателям")
    assert (desc.get("id"), desc.text) == ("result-chart-7-desc", "Описание")
    texts = "".join(root.itertext())
    assert "Сферум" in texts and "2 из 3" in texts and "1 из 1" in texts


def test_every_text_is_escaped():
    hostile = '<script>alert("x")</script> & «кавычки» \x00\x07'
    markup = render([Bar(hostile, 1, 2)], title=hostile, description='"><a href="https://evil.example">')
    root = parse(markup)  # still well-formed: nothing broke out of its element or attribute
    assert "<script" not in markup
    assert "<a " not in markup
    assert root.find(f"{SVG}title").text == '<script>alert("x")</script> & «кавычки» '
    assert root.find(f"{SVG}desc").text == '"><a href="https://evil.example">'


def test_no_scripts_no_references_no_inline_styles():
    markup = render([Bar("Показатель", 1, 3)])
    root = parse(markup)
    assert "<script" not in markup.lower()
    assert "href" not in markup.lower()
    assert "url(" not in markup
    for element in root.iter():
        assert not any(name.startswith("on") for name in element.attrib), element.attrib
        assert "style" not in element.attrib  # the CSP (default-src 'self') forbids inline styles
    assert root.find(f".//{SVG}style") is None and root.find(f".//{SVG}foreignObject") is None


def test_bar_lengths_are_proportional_on_a_common_scale():
    bars = [Bar("Три из трёх", 3, 3), Bar("Один из трёх", 1, 3), Bar("Ноль из двух", 0, 2), Bar("Один из одного", 1, 1)]
    root = parse(render(bars))
    filled = [float(rect.get("width")) for rect in rects(root, "chart-bar")]
    tracks = [float(rect.get("width")) for rect in rects(root, "chart-track")]
    unit = filled[0] / 3
    assert unit > 0
    assert filled == pytest.approx([3 * unit, 1 * unit, 0, 1 * unit], abs=0.01)
    assert tracks == pytest.approx([3 * unit, 3 * unit, 2 * unit, 1 * unit], abs=0.01)
    # Each bar starts where its track starts: the score is read against the maximum.
    assert {rect.get("x") for rect in rects(root, "chart-bar") + rects(root, "chart-track")} == {
        rects(root, "chart-bar")[0].get("x")
    }


def test_rows_do_not_overlap_and_the_canvas_holds_them():
    long_label = "Использование федеральной государственной информационной системы «Моя школа» " * 3
    root = parse(render([Bar(long_label, 1, 3), Bar("Короткий", 2, 3)]))
    bars = rects(root, "chart-bar")
    first_y, second_y = float(bars[0].get("y")), float(bars[1].get("y"))
    assert second_y >= first_y + float(bars[0].get("height"))
    height = float(root.get("viewBox").split()[3])
    assert second_y + float(bars[1].get("height")) <= height
    lines = [span.text for span in root.iter(f"{SVG}tspan")]
    assert lines[2].endswith("…") and "Короткий" in lines  # a long title is cut at three lines


def test_an_empty_chart_says_so():
    root = parse(render([]))
    assert "Нет данных" in "".join(root.itertext())


@pytest.mark.parametrize("bar", [Bar("x", 4, 3), Bar("x", -1, 3), Bar("x", 0, -1)])
def test_impossible_values_are_refused(bar):
    with pytest.raises(ValueError):
        render([bar])


def test_the_id_must_be_a_plain_identifier():
    with pytest.raises(ValueError):
        render([Bar("x", 1, 1)], chart_id='a" onload="x')


def test_fractional_values_are_written_the_russian_way():
    root = parse(render([Bar("Среднее", 2.5, 3)]))
    assert "2,5 из 3" in "".join(root.itertext())


# --- the target line of a trend ---------------------------------------------------------------------------------


def _trend_target_line(svg: str):
    root = ET.fromstring(svg)
    namespace = "{http://www.w3.org/2000/svg}"
    group = next(g for g in root.iter(f"{namespace}g") if g.get("class") == "chart-target")
    return group, group.find(f"{namespace}line")


def test_a_trend_draws_its_target_as_a_labelled_dashed_line():
    points = [(date(2026, 10, 1), 20.0), (date(2026, 11, 1), 40.0)]
    svg = trend_chart(points, "Доля", chart_id="t1", target=TargetLine(50.0, "ориентир 2026: 50 %"))
    group, line = _trend_target_line(svg)
    assert line.get("stroke-dasharray") and line.get("y1") == line.get("y2")
    assert "ориентир 2026: 50 %" in "".join(group.itertext())
    assert "ориентир 2026: 50 %" in ET.fromstring(svg).find("{http://www.w3.org/2000/svg}desc").text
    # The scale reaches the target above every point: the line is the highest mark, inside the canvas.
    dots = [float(c.get("cy")) for c in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}circle")]
    assert 0 < float(line.get("y1")) < min(dots) < TREND_HEIGHT
    assert 'class="chart-target"' not in trend_chart(points, "Доля", chart_id="t2")
