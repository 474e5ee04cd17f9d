"""Small named exceptions; only the command line turns them into messages and exit codes."""

from __future__ import annotations


class KGError(Exception):
    """Base class of every error the library raises on purpose."""


class InputError(KGError):
    """An input could not be read: names the file, the line (when there is one) and the field."""

    def __init__(
        self, path: str, message: str, *, line: int | None = None, field: str | None = None
    ) -> None:
        self.path = path
        self.line = line
        self.field = field
        self.reason = message
        where = path if line is None else f"{path}:{line}"
        if field:
            where = f"{where}: field '{field}'"
        super().__init__(f"{where}: {message}")


class StoreError(KGError):
    """The store is missing, locked or holds something this version cannot read."""


class QueryError(KGError):
    """A SPARQL query failed to parse or to run."""


class ExportError(KGError):
    """An export format is unknown or the graph lacks what the format needs."""


class ModelError(KGError):
    """The spaCy pipeline named in the configuration cannot be loaded."""


class RemoteError(KGError):
    """An external SPARQL server could not be reached, refused the credentials or answered
    with an error; the message names the address and says which."""
