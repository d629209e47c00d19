"""Typed errors with messages a user can act on. The CLI prints them and exits 1; the UI shows them."""


class AnalyzerError(Exception):
    """Base class for every error this package raises on purpose."""


class SettingsError(AnalyzerError):
    """A setting or flag has a value that cannot be used."""


class IngestError(AnalyzerError):
    """An input could not be read: missing file, corrupt file, missing columns, empty input."""


class BuildError(AnalyzerError):
    """A build step failed; the previous warehouse is left untouched."""

    def __init__(self, step: str, reason: str):
        super().__init__(f"build failed at step '{step}': {reason}")
        self.step = step
        self.reason = reason


class WarehouseError(AnalyzerError):
    """The warehouse is missing, unreadable, or lacks what was asked of it."""
