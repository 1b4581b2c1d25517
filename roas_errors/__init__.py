"""The one error type every package of the project raises for a failure a user can act on.

A leaf: it imports nothing of the project, so the pipeline (`roas`), the report
engine (`reports`) and the generator can all raise and catch it without importing
each other. The CLI shows its message as is and exits with `exit_code`.
"""


class RoasError(Exception):
    """A failure the user can act on. The message is shown as is."""

    exit_code = 1


__all__ = ["RoasError"]
