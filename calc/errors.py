"""The product's one user-facing error type, and the structured problems it lists."""

from __future__ import annotations

from collections.abc import Sequence


class InputError(ValueError):
    """Bad user input: the message names the field/row and the rule it breaks.

    The CLI prints the message and exits with code 2; the dashboard shows it inline.
    ``problems`` carries every individual problem when several are reported at once.
    """

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.problems: tuple[Problem, ...] = tuple(p if isinstance(p, Problem) else Problem(str(p)) for p in problems)

    def __str__(self) -> str:
        head = super().__str__()
        if not self.problems:
            return head
        return head + "\n" + "\n".join(f"  - {p}" for p in self.problems)


ECHO_LIMIT = 40  # characters of user text quoted back in a message


def echo(value: object, limit: int = ECHO_LIMIT) -> str:
    """User text as safe to quote in a message: control characters escaped (NUL as ``\\x00``)
    and cut to ``limit`` characters with ``…`` so a huge value is not repeated in full."""
    text = escape_unprintable(str(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def escape_unprintable(text: str, keep: str = "") -> str:
    """``text`` with every character that is not printable (``str.isprintable``: control characters
    such as ESC, format and bidi controls, separators other than the space) written as its Python
    escape (``\\x1b``, ``\\u202e``), except those in ``keep`` (the CLI keeps line ends and tabs)."""
    if text.isprintable() or (keep and text.translate({ord(ch): None for ch in keep}).isprintable()):
        return text  # the common case, at C speed
    return "".join(ch if ch.isprintable() or ch in keep else repr(ch)[1:-1] for ch in text)


class Problem(str):
    """One problem of an input: where it is (``source``, ``line``, ``column``) and what is wrong
    (``value``, the offending text as shown, and ``rule``, the rule it breaks).

    The string itself is the message the user reads, built from the parts:
    ``[source ]line L, column C: 'value' rule``; a part that is None is left out. On the
    header line (line 1) the column is the user's text and is quoted (``column 'foo'``).
    ``column_label=False`` names the column bare (``line L, date: ...``): a ledger field, or a
    scenario parameter (``horizon: ...``). Being a ``str``, a problem prints, joins and compares
    as its text; readers sort and tabulate by its parts, never by re-parsing the text.
    """

    rule: str
    line: int | None
    column: str | None
    value: str | None
    source: str
    column_label: bool

    def __new__(
        cls,
        rule: str,
        *,
        line: int | None = None,
        column: str | None = None,
        value: str | None = None,
        source: str = "",
        column_label: bool = True,
    ) -> Problem:
        self = super().__new__(cls, _problem_text(rule, line, column, value, source, column_label))
        self.rule, self.line, self.column, self.value = rule, line, column, value
        self.source, self.column_label = source, column_label
        return self

    @property
    def what(self) -> str:
        """What is wrong, without the place: ``'value' rule``."""
        return _problem_text(self.rule, None, None, self.value, "", self.column_label)

    def at(self, *, line: int | None = None, source: str | None = None, column_label: bool | None = None) -> Problem:
        """The same problem placed on a line of a file (a parameter problem found in a grid row)."""
        return Problem(
            self.rule,
            line=self.line if line is None else line,
            column=self.column,
            value=self.value,
            source=self.source if source is None else source,
            column_label=self.column_label if column_label is None else column_label,
        )


def _problem_text(
    rule: str, line: int | None, column: str | None, value: str | None, source: str, column_label: bool
) -> str:
    place = " ".join(part for part in (source, "" if line is None else f"line {line}") if part)
    if column is not None:
        name = f"'{column}'" if line == 1 and column_label else column
        place = ", ".join(part for part in (place, f"column {name}" if column_label else name) if part)
    what = rule if value is None else f"'{value}' {rule}"
    return f"{place}: {what}" if place else what
