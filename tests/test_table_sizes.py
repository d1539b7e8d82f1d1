"""Table widths and heights on the page (issue 21, tables): name columns wide enough for the names, key columns
first, long tables taller than Streamlit's 10-row "auto". Geometry in a real browser is checked by
``tests/test_browser.py`` (``check_holder_table``)."""

from __future__ import annotations

from calc.model.columns import HOLDER_LEAD
from dashboard.formatting import NAME_MAX_PX, NAME_MIN_PX, ROW_PX, table_height, text_width
from dashboard.tables import HOLDER_CONFIG_WIDTHS, holder_column_config


def test_text_width_fits_the_longest_text_within_bounds():
    # 7 px a character plus 24 px of padding: 40 characters need 7 × 40 + 24 = 304 px
    assert text_width(["x" * 40, "short"]) == 304
    assert text_width(["ab"]) == NAME_MIN_PX  # a short name still gets a readable column
    assert text_width(["x" * 146]) == NAME_MAX_PX  # the longest holder name: capped, the figures stay in view
    assert text_width(["x" * 50], most=330) == 330
    assert text_width([]) == NAME_MIN_PX


def test_table_height_shows_twenty_rows_then_scrolls():
    # header + rows, 35 px each, and 3 px of border: 328 holder rows show 20 at a time (11 before)
    assert table_height(328) == 35 * 21 + 3
    assert table_height(4) == 35 * 5 + 3  # a short table is not padded with empty rows
    assert table_height(0) == 35 * 2 + 3
    assert ROW_PX == 35


def test_holder_table_leads_with_the_key_columns_and_pins_a_wide_name():
    config = holder_column_config()
    assert HOLDER_LEAD[:3] == ("name", "pro_forma_pct", "pro_forma_shares")
    assert config["name"]["pinned"] is True and config["name"]["width"] == NAME_MAX_PX
    # at 1440 px the main column is ~980 px wide: name, pro forma %, pro forma common, 13d-3 % and both flags fit
    assert sum(HOLDER_CONFIG_WIDTHS[c] for c in HOLDER_LEAD) <= 940
    # at 1024 px (~564 px): name and pro forma % fit
    assert HOLDER_CONFIG_WIDTHS["name"] + HOLDER_CONFIG_WIDTHS["pro_forma_pct"] <= 560
