"""Formula injection (issues #8, #10): exported text cells that a spreadsheet would run are neutralised."""

import pandas as pd

from kam_metrics.access.export_safety import neutralise, neutralise_frame


def test_each_trigger_character_is_neutralised():
    for text in ("=1+1", "+cmd", "-2+3", "@SUM(A1)", "\t=x", "\r=x"):
        assert neutralise(text) == "'" + text


def test_plain_text_and_numbers_are_untouched():
    assert neutralise("华东客户") == "华东客户"
    assert neutralise("a=b") == "a=b"
    assert neutralise(-12.5) == -12.5
    assert neutralise(None) is None


def test_frame_cells_and_headers():
    frame = pd.DataFrame({"=name": ["=HYPERLINK(\"http://x\")", "正常", None], "revenue": [-1.0, 2.0, 3.0]})
    safe = neutralise_frame(frame)
    assert list(safe.columns) == ["'=name", "revenue"]
    assert safe.iloc[0, 0] == "'=HYPERLINK(\"http://x\")"
    assert safe.iloc[1, 0] == "正常"
    assert pd.isna(safe.iloc[2, 0])
    assert safe["revenue"].tolist() == [-1.0, 2.0, 3.0]
    assert frame.iloc[0, 0].startswith("=")  # the input is not changed
