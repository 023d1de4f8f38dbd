"""The web UI as a process, over HTTP: malformed requests are logged as one line each, not as
tracebacks; the staff page exists only with its token and is never linked from the page."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from contextlib import contextmanager

import httpx
from chroma_server import free_port
from conftest import FIXTURES, PROJECT

# Wrong argument types, sent to every event handler of the page: some of them were seen to
# print a full traceback each in the app log (the like handler, the example picker).
MALFORMED = {"data": [{"bad": 1}, 7, "x"]}


@contextmanager
def running_app(fixture_index, tmp_path, ready: str = "", ready_status: int = 200, **env_extra):
    """app.py as a process on a free port over the fixture index (no model), until it answers
    `ready` with `ready_status`; yields its base URL and log file, and stops it after."""
    port = free_port()
    log = tmp_path / "app.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("EXCHANGE_")}
    env.update(
        EXCHANGE_INDEX_DIR=str(fixture_index),
        EXCHANGE_CORPUS_DIR=str(FIXTURES / "corpus"),
        EXCHANGE_UI__PORT=str(port),
        EXCHANGE_UI__FEEDBACK_DB=str(tmp_path / "feedback.sqlite3"),
        EXCHANGE_LLM="none",
        GRADIO_ANALYTICS_ENABLED="False",
        HF_HUB_OFFLINE="1",
        **env_extra,
    )
    with log.open("w") as out:
        app = subprocess.Popen(
            [sys.executable, "app.py"], cwd=PROJECT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            assert app.poll() is None, log.read_text()
            try:
                if httpx.get(base + ready, timeout=2).status_code == ready_status:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.3)
        yield base, log
    finally:
        app.terminate()
        app.wait(timeout=30)


def test_malformed_api_requests_are_logged_as_one_line_each(fixture_index, tmp_path):
    with running_app(fixture_index, tmp_path) as (base, log):
        handlers = len(httpx.get(f"{base}/config", timeout=10).json()["dependencies"])
        failed = 0
        for fn_index in range(handlers):
            body = {**MALFORMED, "fn_index": fn_index}
            r = httpx.post(f"{base}/gradio_api/run/predict", json=body, timeout=60)
            failed += r.status_code >= 500
        r = httpx.post(
            f"{base}/gradio_api/run/predict",
            content=b"{not json",
            headers={"content-type": "application/json"},
            timeout=30,
        )
        assert r.status_code == 422
        assert failed >= 1  # some requests did fail on the server, and so were logged
        assert httpx.get(f"{base}/staff", timeout=10).status_code == 404  # no token, no page
        time.sleep(1)
    text = log.read_text()
    assert "Traceback" not in text, text
    lines = [line for line in text.splitlines() if "failed" in line or "Exception" in line]
    assert len(lines) >= failed, text
    assert all(len(line) < 500 for line in lines)


def test_the_staff_page_opens_with_its_token_and_the_student_page_never_links_it(
    fixture_index, tmp_path
):
    token = "a-staff-token-for-the-test"
    with running_app(
        fixture_index, tmp_path, ready="/staff", ready_status=401, EXCHANGE_STAFF_TOKEN=token
    ) as (base, _):
        opened = httpx.get(f"{base}/staff", headers={"Authorization": f"Bearer {token}"})
        assert opened.status_code == 200 and "did not answer" in opened.text
        assert "/staff" not in httpx.get(base, timeout=10).text
