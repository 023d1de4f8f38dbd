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


class IndexDamagedError(AssistantError):
    """The index on disk (or on the server) is not what its manifest says it holds, or does not
    match the settings; answering from it would be wrong in silence, so nothing is answered."""


class SettingsError(AssistantError):
    """An EXCHANGE_* setting out of its range or of an unknown kind."""


def settings_error(exc) -> SettingsError:
    """One sentence from a pydantic ValidationError of Settings: the variable, why, the value."""
    first = exc.errors()[0]
    loc = [str(p) for p in first.get("loc", ()) if p != "__root__"]
    msg = str(first.get("msg", "is not valid")).removeprefix("Value error, ")
    if not loc:
        return SettingsError(f"The settings are not valid: {msg}.")
    name = "EXCHANGE_" + loc[0].upper()
    value = first.get("input")
    got = f" (it is {value!r})" if value is not None and not isinstance(value, dict) else ""
    return SettingsError(f"The setting {name} is not valid: {msg}{got}.")
