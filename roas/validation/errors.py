"""The one exception the validation stage lets out."""

from __future__ import annotations

from roas.errors import RoasError


class InputRefused(RoasError):
    """A raw file cannot be used at all (missing, unreadable, wrong header ...).

    The message names the file and the column or line, and says how to fix it;
    the CLI prints it as is, without a traceback.
    """

    def __init__(self, message: str, *, source_file: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.source_file = source_file

    def __str__(self) -> str:
        return self.message
