"""The project's exceptions: each one is a user-facing, one-line message."""


class AssistantError(Exception):
    """Base class; its message is shown to the user as is, without a traceback."""


class LoadError(AssistantError):
    """A file could not be turned into a canonical text."""


class ModelNotReady(AssistantError):
    """The embedding model has not been prepared on this machine."""


class NotFound(AssistantError):
    """A document, scenario or span the user named does not exist."""
