"""The preferred's per-share rules have one home (``calc/model/preferred_rules.py``) and one $1,000 basis; golden
values from the prospectus supplement (SUPP p. 1: 168.3502 common per preferred at LP $1,000, 1,885,000
preferred, conversion price $5.94)."""

from __future__ import annotations

import ast
import math
from fractions import Fraction

import numpy as np
import pytest

from calc.model import preferred_rules as rules
from tests.helpers import ROOT

RULES = ROOT / "calc" / "model" / "preferred_rules.py"
CALLERS = (
    "model/engine.py",
    "model/ledger.py",
    "model/breakeven.py",
    "model/securities.py",
    "model/conversion.py",
    "model/scenario.py",
    "inputs/filing.py",
)
FACTORS = {"put_factor", "sale_factor"}  # stock valued at S × f: only the rules multiply by them
ALLOWED_1000 = {("breakeven.py", "MAX_PRICE_USD")}  # the break-even's highest flat price, not the basis
RATE = Fraction("168.3502")


def _name(node: ast.AST) -> str:
    """The last name of ``a``, ``a.b`` or ``a.b[i]`` ('' for anything else)."""
    while isinstance(node, ast.Subscript):
        node = node.value
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _assigned(tree: ast.Module, node: ast.AST) -> set[str]:
    """The names a module-level assignment containing ``node`` assigns (none for anything else)."""
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and any(n is node for n in ast.walk(stmt)):
            return {e.id for t in stmt.targets for e in ast.walk(t) if isinstance(e, ast.Name)}
    return set()


def rule_copies(path) -> list[str]:
    """Code (docstrings and comments aside) in ``path`` that writes a rule: the number 1000, a division by the
    basis, or a product with a put/sale factor."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and type(node.value) in (int, float) and node.value == 1000:
            if not {(path.name, name) for name in _assigned(tree, node)} & ALLOWED_1000:
                found.append(f"{path.name}:{node.lineno}: 1000")
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div) and _name(node.right) == "BASIS_USD":
            found.append(f"{path.name}:{node.lineno}: / BASIS_USD")
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
            if {_name(node.left), _name(node.right)} & FACTORS:
                found.append(f"{path.name}:{node.lineno}: × factor")
    return found


@pytest.mark.parametrize("name", CALLERS)
def test_callers_write_no_rule_and_no_1000(name):
    assert rule_copies(ROOT / "calc" / name) == []


def test_the_rules_module_holds_the_formulas():
    assert len(rule_copies(RULES)) >= 4  # the check sees the basis and the factor products where they live


def test_the_basis_has_one_name():
    sources = "".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "calc").rglob("*.py")))
    assert [old for old in ("PER_SHARE_USD", "PRINCIPAL_PER_SHARE_USD", "PER_UNIT") if old in sources] == []
    assert rules.BASIS_USD == 1000


def test_conversion_golden():
    # SUPP p. 1: 1,885,000 × $1,000 / 1000 × 168.3502 = 317,340,127 common exactly
    per_share = rules.exact_conversion_per_share(Fraction(1000), RATE)
    assert per_share == RATE
    assert math.floor(1_885_000 * per_share) == 317_340_127
    assert rules.conversion_per_share(np.array([1000.0, 1040.0]), float(RATE)).tolist() == pytest.approx(
        [168.3502, 175.084208], rel=1e-15
    )


def test_conversion_price_golden():
    assert round(rules.exact_conversion_price(RATE), 2) == Fraction("5.94")  # SUPP cover: $5.94
    assert rules.conversion_price(np.array([float(RATE)]))[0] == pytest.approx(5.94, abs=0.005)


def test_redemption_and_dividend():
    # $1,000 put in stock at $4 valued at 95%: 1000 / (4 × 0.95) = 263.157...
    assert rules.exact_redemption_per_share(Fraction(1000), 4.0, 0.95) == Fraction(1000) / Fraction("3.8")
    assert rules.redemption_per_share(np.array([1000.0]), np.array([4.0]), 0.95)[0] == pytest.approx(1000 / 3.8)
    shares = rules.redemption_shares(np.array([1000.0, 1000.0]), np.array([4.0, 4.0]), 1.0, np.array([True, False]))
    assert shares.tolist() == [250.0, 0.0]
    # the semiannual 4% dividend on 1,885,000 × $1,000 sold at $2 × 0.9
    due = rules.dividend_usd(np.array([1_885_000 * 1000.0]), 0.04)
    assert due.tolist() == [75_400_000.0]
    assert rules.dividend_shares(due, np.array([2.0]), np.array([0.9]), np.array([True]))[0] == pytest.approx(
        75_400_000 / 1.8
    )
    assert rules.exact_dividend_shares(Fraction(75_400_000), 2.0, 0.9) == Fraction(75_400_000) / Fraction("1.8")


def test_in_the_money_exactly_at_the_conversion_price():
    # S × CR = 1000 exactly at S = 1000 / 125 = $8 (a float product may fall on either side; decided exactly)
    prices = np.array([[7.99, 8.0, 8.01]])
    assert rules.in_the_money(prices, 125.0, lambda _: Fraction(125)).tolist() == [[False, True, True]]
    # 0.1 × 10000 is 1000 in exact arithmetic
    assert rules.in_the_money(np.array([0.1]), 10000.0, lambda _: Fraction(10000)).tolist() == [True]


def test_call_bound():
    assert rules.call_bound(np.array([0.0, 30.0])).ravel().tolist() == pytest.approx([1000.0, 1300.0])
    assert rules.exact_call_bound(30.0) == 1300
    itm = rules.in_the_money(
        np.array([[10.4, 10.39]]),
        125.0,
        lambda _: Fraction(125),
        rules.call_bound(np.array([30.0])),
        lambda _: rules.exact_call_bound(30.0),
    )
    assert itm.tolist() == [[True, False]]


def test_rational_holder():
    itm = np.array([True, True, False, False])
    decision = np.array([True, False, True, True])
    put_date = np.array([True, True, True, False])
    converts, puts = rules.rational_holder(itm, decision, put_date)
    assert converts.tolist() == [True, False, False, False]
    assert puts.tolist() == [False, False, True, False]
