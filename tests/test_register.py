"""The register CSV format: validation of a holder table read from CSV or a spreadsheet."""

from __future__ import annotations

import pandas as pd
import pytest

from calc.errors import InputError
from calc.inputs.paths import REGISTER_PATH
from calc.inputs.register import read_register_csv, validate_register


def test_register_csv_validation(tmp_path):
    good = read_register_csv(REGISTER_PATH)
    assert len(good) == 326 and good["preferred_shares"].dtype.kind == "i"
    bad = pd.DataFrame(
        {"name": ["A", "", "C"], "preferred_shares": ["10", "5", "-3"], "common_owned_prior": ["Nil", "x", ""]}
    )
    with pytest.raises(InputError) as info:
        validate_register(bad, "upload")
    problems = "\n".join(info.value.problems)
    assert "line 4, column preferred_shares: '-3'" in problems
    assert "line 3, column common_owned_prior: 'x'" in problems
    assert "line 3, column name: holder name must not be empty" in problems
    with pytest.raises(InputError, match="missing required column"):
        validate_register(pd.DataFrame({"name": ["A"]}))


def test_spreadsheet_whole_numbers_accepted():
    # a spreadsheet or an edited table may hand back 12.0 for 12 and blanks for Nil
    frame = pd.DataFrame({"name": ["A", "B"], "preferred_shares": ["12.0", "1,000"], "common_owned_prior": [None, 3.0]})
    clean = validate_register(frame)
    assert list(clean["preferred_shares"]) == [12, 1000]
    assert list(clean["common_owned_prior"]) == [0, 3]
    with pytest.raises(InputError, match="'12.5' must be a whole number"):
        validate_register(pd.DataFrame({"name": ["A"], "preferred_shares": ["12.5"]}))
