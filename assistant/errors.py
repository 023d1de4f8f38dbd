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
    name = "EXCHANGE_" + "__".join(p.upper() for p in loc)
    value = first.get("input")
    if isinstance(value, dict):  # a rule between the fields of one group
        return SettingsError(f"The settings {name}__* are not valid: {msg}.")
    got = f" (it is {value!r})" if value is not None and not isinstance(value, dict) else ""
    return SettingsError(f"The setting {name} is not valid: {msg}{got}.")


def brief_request_errors(logger_name: str = "exchange_assistant.app") -> None:
    """Log a web UI request that fails (a malformed API call: bad JSON, wrong arguments) as one
    line, instead of the full traceback Gradio and uvicorn print for each; anyone may send
    such requests, and a page of traceback each would bury the log. EXCHANGE_DEBUG=1 keeps
    the tracebacks."""
    import importlib
    import logging
    import os
    import sys
    import traceback
    import types

    if os.environ.get("EXCHANGE_DEBUG"):
        return
    log = logging.getLogger(logger_name)

    def print_exc(*args, **kwargs) -> None:
        log.warning("a request to the web UI failed: %s", _one_line(sys.exc_info()[1]))

    # Gradio calls `traceback.print_exc()` itself; its modules get a traceback that logs.
    shim = types.SimpleNamespace(**vars(traceback))
    shim.print_exc = print_exc
    for name in ("gradio.routes", "gradio.queueing", "gradio.route_utils"):
        module = sys.modules.get(name) or importlib.import_module(name)
        if getattr(module, "traceback", None) is traceback:
            module.traceback = shim

    class OneLine(logging.Filter):
        def filter(self, record: logging.LogRecord) -> bool:
            if record.exc_info and record.exc_info[1] is not None:
                record.msg = f"{record.getMessage().strip()}: {_one_line(record.exc_info[1])}"
                record.args = ()
                record.exc_info = None
                record.exc_text = None
            return True

    logging.getLogger("uvicorn.error").addFilter(OneLine())


def _one_line(exc: BaseException | None) -> str:
    if exc is None:
        return "unknown error"
    text = " ".join(str(exc).split())[:300]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
