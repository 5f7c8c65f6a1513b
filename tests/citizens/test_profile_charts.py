"""The profile's small multiples stack on phones (issue #15 item 12).

The functioning chart has one panel per theme, three across. On a phone that image shrinks to a
third of its size, so a one-column variant is drawn beside it and offered to narrow screens.
"""

from __future__ import annotations

import base64
import re
from datetime import date

from flask import Flask, render_template_string

from del_tool.charts import chart_from_json, chart_to_json
from del_tool.citizens.charts import FUNCTIONING_ID, functioning_chart
from del_tool.citizens.profile import SeriesPoint
from del_tool.questionnaires import current_registry


def _series(scale_ids: list[str]) -> dict[tuple[str, str], list[SeriesPoint]]:
    days = (date(2026, 1, 5), date(2026, 4, 2), date(2026, 8, 20))
    return {
        (FUNCTIONING_ID, s): [SeriesPoint(d, 3.0 - i) for i, d in enumerate(days)]
        for s in scale_ids
    }


def _size_attrs(uri: str) -> tuple[float, float]:
    svg = base64.b64decode(uri.split(",", 1)[1]).decode()
    width = float(re.search(r'width="([\d.]+)pt"', svg).group(1))
    height = float(re.search(r'height="([\d.]+)pt"', svg).group(1))
    return width, height


def test_several_themes_get_a_one_column_variant_that_the_page_offers_to_phones(
    app: Flask,
) -> None:
    with app.test_request_context():
        definition = current_registry().get(FUNCTIONING_ID)
        themes = [s.id for s in definition.scales if s.id != "mean"][:5]
        chart = functioning_chart(_series(themes), definition, "da")
        assert chart is not None and chart.narrow_uri is not None
        wide_w, wide_h = _size_attrs(chart.data_uri)
        narrow_w, narrow_h = _size_attrs(chart.narrow_uri)
        # Three across (two rows) for screens; five rows of one, about half as wide, for phones.
        assert wide_w > wide_h
        assert narrow_w < wide_w * 0.6 and narrow_h > 2 * wide_h
        # The stored drawing keeps the variant, and the page offers it to narrow screens.
        assert chart_from_json(chart_to_json(chart)).narrow_uri == chart.narrow_uri
        html = render_template_string(
            '{% from "chart.html" import chart %}{{ chart(c, "x") }}', c=chart
        )
        assert f'<source media="(max-width: 47.99em)" srcset="{chart.narrow_uri}">' in html
        assert f'<img class="del-chart" src="{chart.data_uri}"' in html

        single = functioning_chart(_series(themes[:1]), definition, "da")
        assert single is not None and single.narrow_uri is None
        assert "<picture>" not in render_template_string(
            '{% from "chart.html" import chart %}{{ chart(c, "x") }}', c=single
        )
