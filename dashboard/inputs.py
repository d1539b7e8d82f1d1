"""Sidebar inputs, built from ``calc.model.params.SPECS`` (one widget per scenario parameter).

Widget values live in ``st.session_state`` under ``param_<name>``; they are seeded
from the defaults once per session, so loading a saved scenario (or resetting) is a
matter of writing new values there from a callback. Validation is ``calc``'s
``param_problems``: the dashboard never re-implements a rule.

First paint (issue 21): the sidebar's widgets were most of the browser's work before the first chart (~40
elements; measured: the page without them needed a third of the main thread's time). The inputs used most
(``OPEN_GROUPS``: price, drift, base shares) are always drawn; every other group sits in a closed, stateful
expander whose widgets are built only while it is open (``group_key``). A closed group's values are kept
(``keep``: re-claimed in ``st.session_state`` each run, so Streamlit does not drop the state of a widget that
was not drawn), and they feed the scenario, links and saved scenarios exactly as when drawn.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import streamlit as st

from calc.errors import Problem
from calc.model.params import SPECS, ParamSpec, ScenarioParams
from calc.outputs import formats

SPEC_BY_NAME = {spec.name: spec for spec in SPECS}

KEY_PREFIX = "param_"
GROUP_PREFIX = "inputs_group_"  # the open/closed state of a sidebar group's expander
OPEN_GROUPS = ("Market",)  # always drawn, no expander: the inputs changed most
DATE_MIN, DATE_MAX = dt.date(1996, 1, 1), dt.date(2040, 12, 31)
# number boxes: the price to the cent; other numbers as typed (%g: 0, 0.05, 1, not 0.0000)
FLOAT_FORMAT = {"price": ("%.2f", 0.01), "annual_drift": ("%g", 0.05), "call_trigger_pct": ("%g", 1.0)}
CHOICE_HELP = {
    "dividend_policy": {
        "cash": "cash: no new shares",
        "stock": "stock: shares sold for the cash due",
        "accrue": "accrue: unpaid, the liquidation preference grows",
    },
    "put": {
        "none": "none: nobody puts",
        "all": "all: every share put at the first put date",
        "rational": "rational: put when conversion is out of the money",
    },
    "conversion": {
        "none": "none: nobody converts",
        "all": "all: everyone converts at conversion_date",
        "rational": "rational: convert at put dates when in the money",
    },
}


def key(name: str) -> str:
    return KEY_PREFIX + name


def cli_flag(name: str) -> str:
    """The CLI flag of a scenario parameter (``ParamSpec.flag``: ``dividend_policy`` -> ``--dividend-policy``)."""
    return SPEC_BY_NAME[name].flag


def label(spec: ParamSpec) -> str:
    """Human label with the unit, e.g. "Common price (USD per share)"."""
    words = spec.label or spec.name.replace("_", " ").capitalize()
    return f"{words} ({spec.unit})" if spec.unit and spec.unit != "YYYY-MM-DD" else words


def choice_label(value: object) -> str:
    """A choice as words (``pro_rata`` -> ``pro rata``); the value itself is kept by the widget."""
    return str(value).replace("_", " ")


def problem_text(problem: str) -> str:
    """A scenario-input problem naming the input by its sidebar label (``price: ...`` -> ``Common price (USD):
    ...``); any other problem unchanged."""
    if isinstance(problem, Problem) and problem.line is None and problem.column in SPEC_BY_NAME:
        return f"{label(SPEC_BY_NAME[problem.column])}: {problem.what}"
    return str(problem)


def help_text(spec: ParamSpec, default: Any) -> str:
    extra = CHOICE_HELP.get(spec.name)
    choices = ("  \n" + "  \n".join(extra.values())) if extra else ""
    shown = "empty" if default is None else formats.input_value(default, spec.unit)
    return f"{spec.help}. Default: {shown}. CLI: `{cli_flag(spec.name)}`.{choices}"


def widget_value(spec: ParamSpec, value: Any) -> Any:
    """A parameter value in the form its widget holds: a count as text with separators (``3,607,381,493``; a
    number box cannot show them), read back by ``calc.inputs.params`` like a typed flag."""
    if spec.kind == "float":
        return float(value)
    if spec.kind == "int":
        return formats.shares(value) if isinstance(value, int | float) else str(value)
    return value


def seed_state(defaults: ScenarioParams) -> None:
    """Give every parameter widget its default once per session."""
    values = defaults.as_dict()
    for spec in SPECS:
        st.session_state.setdefault(key(spec.name), widget_value(spec, values[spec.name]))


def set_state(params: ScenarioParams) -> None:
    """Write ``params`` into the widgets (call from a callback, before the widgets render)."""
    values = params.as_dict()
    for spec in SPECS:
        st.session_state[key(spec.name)] = widget_value(spec, values[spec.name])


def _widget(spec: ParamSpec, default: Any) -> Any:
    k, lab, hlp = key(spec.name), label(spec), help_text(spec, default)
    if spec.kind == "choice":
        return st.selectbox(lab, spec.choices, key=k, help=hlp, format_func=choice_label)
    if spec.kind == "float":
        fmt, step = FLOAT_FORMAT.get(spec.name, ("%g", 0.01))
        return st.number_input(lab, step=step, format=fmt, key=k, help=hlp)
    if spec.kind == "int":
        return st.text_input(lab, key=k, help=hlp, on_change=_separate, args=(k, widget_value(spec, default)))
    if spec.kind in ("date", "optional_date"):
        return st.date_input(lab, min_value=DATE_MIN, max_value=DATE_MAX, key=k, help=hlp, format="YYYY-MM-DD")
    return st.text_input(lab, key=k, help=hlp)


def _separate(widget_key: str, default_text: str) -> None:
    """A count typed without separators shown with them once entered (``3607381493`` -> ``3,607,381,493``); a
    cleared box shows the default it now stands for (an empty value takes the default: ``calc.inputs.params``), so
    the page never computes with a figure the box does not show; anything else is left as typed for the input
    check to name."""
    text = str(st.session_state.get(widget_key, "")).strip()
    digits = text.replace(",", "")
    if not text:
        st.session_state[widget_key] = default_text
    elif digits.isdigit():
        st.session_state[widget_key] = formats.shares(int(digits))


def current_values(defaults: ScenarioParams) -> dict[str, Any]:
    """{name: value} the sidebar widgets hold (seeded with the defaults on a session's first run), read before the
    widgets are drawn, so the page can show results before the sidebar (``render_sidebar`` draws it last)."""
    seed_state(defaults)
    return {spec.name: st.session_state[key(spec.name)] for spec in SPECS}


def group_key(title: str) -> str:
    """The session-state key of a sidebar group's expander (open: True), e.g. ``inputs_group_issuer_call``."""
    return GROUP_PREFIX + "".join(c if c.isalnum() else "_" for c in title.lower())


def groups() -> list[tuple[str, list[ParamSpec]]]:
    """(title, specs) per ``ParamSpec.group``, in the order of each group's first parameter."""
    titles = dict.fromkeys(spec.group or "Other" for spec in SPECS)
    return [(title, [s for s in SPECS if (s.group or "Other") == title]) for title in titles]


def keep(specs: list[ParamSpec]) -> None:
    """Keep the values of widgets not drawn in this run (a closed group): Streamlit drops a widget's state at the
    end of a run that did not draw it; re-assigning the value through the Session State API keeps it."""
    for spec in specs:
        k = key(spec.name)
        st.session_state[k] = st.session_state[k]


def lazy_expander(label: str, state_key: str) -> Any:
    """A closed sidebar expander that reruns when opened or closed; its ``.open`` says whether to draw its content
    (nothing inside is built while it is closed: the first load draws fewer elements)."""
    return st.sidebar.expander(label, key=state_key, on_change="rerun")


def render_sidebar(defaults: ScenarioParams) -> dict[str, Any]:
    """Draw the widgets of ``SPECS``, grouped by ``ParamSpec.group`` (``OPEN_GROUPS`` always, the others in a
    closed expander, built only while open); return {name: raw widget value} of the widgets drawn."""
    seed_state(defaults)
    default_values = defaults.as_dict()
    raw: dict[str, Any] = {}
    for title, specs in groups():
        if title in OPEN_GROUPS:
            st.sidebar.markdown(f"**{title}**")
            box = st.sidebar
        else:
            box = lazy_expander(title, group_key(title))
            if not box.open:
                keep(specs)
                continue
        with box:
            for spec in specs:
                raw[spec.name] = _widget(spec, default_values[spec.name])
                if spec.kind == "date" and raw[spec.name] is None:
                    st.caption(f":orange[{spec.name} is empty: the default {default_values[spec.name]} is used]")
    st.sidebar.button("Reset inputs to defaults", key="reset_inputs", on_click=set_state, args=(defaults,))
    return raw
