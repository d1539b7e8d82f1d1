"""calc.model.holder_bases: each holder basis supplies its holdings and allocation rule."""

from __future__ import annotations

import numpy as np

from calc.inputs.data import default_book, load_register
from calc.model.holder_bases import BASIS_BY_NAME, basis_holdings, splits_class_total
from calc.model.params import SPEC_BY_NAME

SHARES_ISSUED = 1_885_000  # SUPP p. 1: 1,885,000 shares of 8.00% Redeemable Convertible Preferred Stock


def test_registered_basis_is_the_listing_and_pro_rata_the_class():
    book = default_book()
    registered, pro_rata = (BASIS_BY_NAME[n].holdings(book) for n in ("registered", "pro_rata"))
    assert registered.tolist() == load_register()["preferred_shares"].tolist()
    assert int(pro_rata.sum()) == SHARES_ISSUED  # scaled to the shares outstanding
    assert int(registered.sum()) > SHARES_ISSUED  # the registration list over-counts (SUPP p. 1)


def test_bases_per_scenario_and_the_parameter_choices():
    book = default_book()
    bases = (BASIS_BY_NAME["pro_rata"], BASIS_BY_NAME["registered"], BASIS_BY_NAME["pro_rata"])
    holdings = basis_holdings(book, bases)
    assert holdings.shape == (3, book.size) and np.array_equal(holdings[1], book.registered)
    assert splits_class_total(bases).tolist() == [True, False, True]
    assert SPEC_BY_NAME["holder_basis"].choices == ("registered", "pro_rata")
