"""The page process keeps its memory steady (ui/memory.py)."""

from __future__ import annotations


def test_memory_is_kept_steady_on_glibc():
    import threading

    from assistant.ui import memory

    assert memory.steady()  # the test machine runs glibc
    assert any(t.name == "malloc-trim" and t.daemon for t in threading.enumerate())
