"""Errors a user can meet. Each carries one sentence that the CLI and UI show as it is."""


class AssistantError(Exception):
    """A problem the user can fix; its message is shown without a traceback."""


class IndexMissingError(AssistantError):
    pass


class LoadError(AssistantError):
    """A file that cannot be read; ingestion skips it with this reason."""


class StoreUnavailableError(AssistantError):
    pass


class QuestionError(AssistantError):
    """A question that cannot be asked (empty or too long)."""
