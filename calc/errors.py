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
