"""Figure builders: titles state the finding in the chosen language; nothing to draw gives None."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from kam_app.charts.sales import build_monthly_revenue_figure, build_segment_revenue_figure, build_top_accounts_figure

MONTHLY = pd.DataFrame({"month": [date(2025, 4, 1), date(2025, 5, 1)], "revenue": [30_000.0, 50_000.0], "volume": [3.0, 5.0]})
PREVIOUS = pd.DataFrame({"month": [date(2025, 1, 1), date(2025, 2, 1)], "revenue": [40_000.0, 60_000.0], "volume": [4.0, 6.0]})


def test_monthly_title_states_the_change_and_axis_unit():
    zh = build_monthly_revenue_figure(MONTHLY, PREVIOUS, growth=-0.2, total=80_000.0, lang="zh")
    assert zh.layout.title.text == "月度销售额:本期 ¥8.0万,较对比期下降 20.0%"
    assert zh.layout.yaxis.title.text == "销售额(万元)"
    assert list(zh.data[0].y) == [3.0, 5.0]  # in 万元
    en = build_monthly_revenue_figure(MONTHLY, PREVIOUS, growth=0.25, total=80_000.0, lang="en")
    assert en.layout.title.text == "Monthly revenue: ¥80.0K this period, up 25.0% on the comparison period"
    assert en.data[1].name == "Comparison period"
    flat = build_monthly_revenue_figure(MONTHLY, PREVIOUS.iloc[0:0], growth=None, total=80_000.0, lang="en")
    assert "no comparison data" in flat.layout.title.text and len(flat.data) == 1


def test_empty_frames_give_no_figure():
    assert build_monthly_revenue_figure(MONTHLY.iloc[0:0], PREVIOUS, growth=None, total=0, lang="zh") is None
    empty = pd.DataFrame({"segment": [], "revenue": [], "comparison_revenue": [], "share": [], "growth": []})
    assert build_segment_revenue_figure(empty, title_key="chart.by_region.title", lang="zh") is None
    assert build_top_accounts_figure(pd.DataFrame(columns=["account_name", "revenue", "share"]), top10_share=None, lang="en") is None


def test_segment_and_top10_titles_name_the_leader():
    frame = pd.DataFrame(
        {"segment": ["华东", "华南"], "revenue": [600.0, 400.0], "comparison_revenue": [500.0, 500.0], "share": [0.6, 0.4], "growth": [0.2, -0.2]}
    )
    fig = build_segment_revenue_figure(frame, title_key="chart.by_region.title", lang="en")
    assert fig.layout.title.text == "华东 is the largest region, with 60.0% of revenue"
    top = pd.DataFrame({"account_name": ["甲公司", "乙公司"], "revenue": [700.0, 300.0], "share": [0.7, 0.3]})
    fig = build_top_accounts_figure(top, top10_share=1.0, lang="zh")
    assert fig.layout.title.text == "前十大客户贡献 100.0% 的销售额,甲公司 居首"
    assert list(fig.data[0].y) == ["乙公司", "甲公司"]  # largest on top


@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="Debian's chromium (used by kaleido) is not installed")
def test_exported_images_render_chinese_glyphs(tmp_path):
    """Two titles of different Chinese characters give different images: with the CJK font missing,
    both would be drawn as the same empty boxes."""
    fc_match = subprocess.run(["fc-match", ":lang=zh-cn", "family"], capture_output=True, text=True)
    assert "CJK" in fc_match.stdout, f"no CJK font installed (fc-match: {fc_match.stdout.strip()!r})"
    images = []
    for title in ("销售额增长", "客户流失风"):
        figure = build_top_accounts_figure(
            pd.DataFrame({"account_name": ["甲公司"], "revenue": [1.0], "share": [1.0]}), top10_share=1.0, lang="zh"
        )
        figure.update_layout(title=title, width=500, height=300)
        images.append(figure.to_image(format="png"))
    (tmp_path / "chart.png").write_bytes(images[0])
    assert images[0][:8] == b"\x89PNG\r\n\x1a\n"
    assert images[0] != images[1]


def test_ipa_labels_of_neighbouring_points_do_not_share_a_slot():
    from kam_app.charts.satisfaction import place_labels

    # two points 1 px apart with long labels: the second label must go elsewhere than the first
    slots = place_labels([0.5, 0.5005, 0.9], [70.0, 70.1, 80.0], ["订单处理效率", "售后服务", "价格"],
                         x_range=(0.0, 1.0), y_range=(60.0, 90.0))
    assert len(slots) == 3 and slots[0] != slots[1]
    # an isolated point keeps the default slot above it
    assert slots[2] == "top center"
