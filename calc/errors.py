"""The product's one user-facing error type."""


class InputError(ValueError):
    """Bad user input: the message names the field/row and the rule it breaks.

    The CLI prints the message and exits with code 2; the dashboard shows it inline.
    ``problems`` carries every individual problem when several are reported at once.
    """

    def __init__(self, message: str, problems: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems

    def __str__(self) -> str:
        head = super().__str__()
        if not self.problems:
            return head
        return head + "\n" + "\n".join(f"  - {p}" for p in self.problems)


ECHO_LIMIT = 40  # characters of user text quoted back in a message


def echo(value: object, limit: int = ECHO_LIMIT) -> str:
    """User text as safe to quote in a message: control characters escaped (NUL as ``\\x00``)
    and cut to ``limit`` characters with ``…`` so a huge value is not repeated in full."""
    text = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in str(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"
