"""User-supplied text shown as text, and one page section's failure kept to that section.

Streamlit renders markdown (links, images, HTML-like tags, emphasis, code, directives) in
``st.markdown``, ``st.caption``, alerts, widget labels, help tooltips and ``st.table`` cells;
plotly renders a subset of HTML in labels and legends. Holder names, file names, saved
scenario names and messages that echo them come from users, so every such string goes
through ``text`` (markdown) or ``charts.text.plot_text`` (plotly) before it reaches the page.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from charts.text import LINE_BREAKS

LOG = logging.getLogger(__name__)
MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character (CommonMark escapes)
# GFM turns bare URLs (scheme://, www.) and e-mail addresses in *text* into links, escapes or not: an invisible
# word joiner between ':' and '//', between 'www' and '.', and before '@' keeps them text.
AUTOLINK_POINTS = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\.)|(?=@)", re.IGNORECASE)
WORD_JOINER = "\u2060"
MAX_ECHO = 200  # characters of an unexpected error's message shown in its box


def text(value: object) -> str:
    """``value`` as literal markdown text: control characters and line breaks become one space, bare URLs and
    e-mail addresses get an invisible word joiner (``AUTOLINK_POINTS``) and every ASCII punctuation character is
    backslash-escaped, so no link, image, HTML, emphasis, code, math or directive forms."""
    plain = AUTOLINK_POINTS.sub(WORD_JOINER, LINE_BREAKS.sub(" ", str(value)))
    return MARKDOWN_PUNCTUATION.sub(r"\\\1", plain)


def error_lines(message: object) -> str:
    """A multi-line error message (an ``InputError`` lists one problem a line) as escaped markdown lines."""
    return "  \n".join(text(line) for line in str(message).splitlines())


def short(exc: BaseException) -> str:
    """An exception's message on one line, cut to ``MAX_ECHO`` characters."""
    message = " ".join(str(exc).split())
    return message if len(message) <= MAX_ECHO else message[:MAX_ECHO] + "…"


@contextmanager
def section(title: str) -> Iterator[None]:
    """Run one page section; an unexpected exception becomes an error box in that section (type and a short,
    escaped message; the traceback goes to the server log) and the rest of the page still renders.
    Streamlit's own rerun/stop signals are not ``Exception`` subclasses and pass through."""
    try:
        yield
    except Exception as exc:  # noqa: BLE001 - the point is to contain any failure to its section
        LOG.exception("dashboard section %r failed", title)
        st.error(
            f"**{title}** could not be shown: unexpected {type(exc).__name__} ({text(short(exc))}). "
            "The rest of the page is not affected."
        )
