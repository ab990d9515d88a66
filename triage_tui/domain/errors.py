"""The project's own error types.

Every error a user can cause or meet (bad config, unknown ticket, unreachable
helpdesk, malformed API data) is one of these. Each carries a one-line message
fit to show as-is on stderr or in a notification; nothing above the adapters
ever shows a traceback for them.
"""

from __future__ import annotations


class TriageError(Exception):
    """Base class. ``str(error)`` is a single line meant for the user."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        # Collapse newlines so the "one line" promise holds even for
        # messages built from helpdesk responses.
        super().__init__(" ".join(str(message).split()))

    @property
    def message(self) -> str:
        return str(self)


class NotFound(TriageError):
    """A ticket, person or article that does not exist."""

    exit_code = 3


class InvalidInput(TriageError):
    """The user or caller asked for something malformed (bad status, empty reply…)."""

    exit_code = 2


class ConfigError(TriageError):
    """The configuration file or environment is invalid."""

    exit_code = 2


class AuthError(TriageError):
    """Credentials are missing, wrong, or lack a needed permission."""

    exit_code = 4


class Unreachable(TriageError):
    """The helpdesk could not be reached (network, DNS, timeout, locked store)."""

    exit_code = 5


class RateLimited(TriageError):
    """The helpdesk asked us to slow down; ``retry_after`` is in seconds."""

    exit_code = 5

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Conflict(TriageError):
    """Someone else changed the ticket since we read it (optimistic concurrency)."""

    exit_code = 6


class Unsupported(TriageError):
    """The active helpdesk cannot do this (see its capability flags)."""

    exit_code = 2


class HelpdeskError(TriageError):
    """The helpdesk answered with an error we could not classify more precisely.

    ``status`` is the HTTP status when there was one: the outbox retries a
    5xx (the server may recover) but fails a 4xx at once (resending the same
    request cannot succeed).
    """

    exit_code = 1

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status
