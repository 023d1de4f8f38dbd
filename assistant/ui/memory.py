"""Keeping the UI process's memory steady under load (glibc only; elsewhere a no-op).

Under load the process grew by about 200 MB a minute (bench/RESULTS.md, issue 14). Most of it
was not live objects but memory glibc kept after use: every worker thread that runs the models
gets its own malloc arena (up to 8 per core), each grows to the largest answer it has scored and
never hands pages back. Two arenas are enough for ten answers at once, and trimming now and then
returns the free pages. The rest was Gradio's per-session copies, bounded in layout.py.
"""

from __future__ import annotations

import ctypes
import logging
import threading
import time

log = logging.getLogger("exchange_assistant.ui")

M_ARENA_MAX = -8  # mallopt parameter number, from glibc's malloc.h
ARENAS = 2
TRIM_EVERY_S = 10.0


def steady() -> bool:
    """Caps malloc arenas and starts a thread that returns free memory to the system; call it
    before the model threads start (an arena, once made, stays). False when not on glibc."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(M_ARENA_MAX, ARENAS)
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return False
    trim.argtypes = [ctypes.c_size_t]

    def trimming() -> None:
        while True:
            time.sleep(TRIM_EVERY_S)
            trim(0)

    threading.Thread(target=trimming, name="malloc-trim", daemon=True).start()
    return True
