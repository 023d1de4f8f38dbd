"""The passage scorer's vectors for the index's candidate passages, made before questions ask.

Both answer paths rank the windows of the retrieved chunks with e5 (quotes.py). Its vectors are
cached by text, but a window no question has met yet costs about 25 ms to encode on 2 cores, so
a question on fresh chunks waited from a few hundred ms to over a second before its sources
could be shown. A long-running assistant (the web UI, the chat, the evals) encodes them in the
background once the index is open, a few at a time, and steps aside while a question holds the
model: on two cores the encoder would slow the model's reading.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable

log = logging.getLogger(__name__)


class PassageWarmer:
    """Encodes `texts()` through `scorer.passages` in a daemon thread, `batch` at a time, at
    most `limit` of them, pausing while `busy()`."""

    def __init__(
        self,
        scorer,
        texts: Callable[[], Iterable[str]],
        busy: Callable[[], bool],
        limit: int,
        batch: int = 8,
        pause_s: float = 0.1,
    ) -> None:
        self.scorer = scorer
        self.texts = texts
        self.busy = busy
        self.limit = limit
        self.batch = batch
        self.pause_s = pause_s
        self.warmed = 0  # texts handed to the scorer (those it had already are free)
        self.seconds = 0.0
        self._stop = threading.Event()
        self._done = threading.Event()

    def start(self) -> PassageWarmer:
        threading.Thread(target=self._run, name="passage-warmer", daemon=True).start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def wait(self, timeout: float | None = None) -> bool:
        """True once every text is encoded (or the warmer stopped)."""
        return self._done.wait(timeout)

    def _run(self) -> None:
        started = time.perf_counter()
        try:
            seen: set[str] = set()
            pending: list[str] = []
            for text in self.texts():
                if self._stop.is_set() or len(seen) >= self.limit:
                    break
                if text in seen:
                    continue
                seen.add(text)
                pending.append(text)
                if len(pending) >= self.batch:
                    self._encode(pending)
                    pending = []
            if pending and not self._stop.is_set():
                self._encode(pending)
        except Exception:  # a warm cache is a speed-up; questions still encode what they need
            log.exception("encoding the index's passages ahead of questions failed")
        finally:
            self.seconds = time.perf_counter() - started
            self._done.set()

    def _encode(self, texts: list[str]) -> None:
        while self.busy() and not self._stop.is_set():
            self._stop.wait(self.pause_s)
        if self._stop.is_set():
            return
        self.scorer.passages(texts)
        self.warmed += len(texts)
