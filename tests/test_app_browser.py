"""The web UI as a person uses it: the real app in a subprocess, driven in headless Chromium.

Chromium comes from Debian's `chromium` package (CI installs it in .ci/run); Playwright only
drives it. The app runs on a free loopback port over the fixture corpus' index.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import FIXTURES, PROJECT

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = PROJECT / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
TIMEOUT_MS = 90_000  # the first question may wait for the model to load

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="the browser tests need Debian's chromium at /usr/bin/chromium "
    "(apt-get install -y chromium; .ci/run installs it)",
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class App:
    def __init__(self, url: str, feedback_db: Path, log: Path):
        self.url, self.feedback_db, self.log = url, feedback_db, log

    def feedback_rows(self) -> list[dict]:
        if not self.feedback_db.exists():
            return []
        with sqlite3.connect(self.feedback_db) as db:
            db.row_factory = sqlite3.Row
            return [dict(r) for r in db.execute("SELECT * FROM feedback ORDER BY id")]


@pytest.fixture(scope="module")
def app(tmp_path_factory, fixture_index):
    """`python app.py` on a free port, over the fixture index; stopped with SIGTERM."""
    work = tmp_path_factory.mktemp("app")
    port = _free_port()
    env = {
        **os.environ,
        "EXCHANGE_INDEX_DIR": str(fixture_index),
        "EXCHANGE_CORPUS_DIR": str(FIXTURES / "corpus"),
        "EXCHANGE_PORT": str(port),
        "EXCHANGE_HOST": "127.0.0.1",
        "EXCHANGE_FEEDBACK_DB": str(work / "feedback.sqlite3"),
        "GRADIO_ANALYTICS_ENABLED": "False",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
    }
    log = work / "app.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, str(PROJECT / "app.py")],
            cwd=work,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 120
    while True:
        if proc.poll() is not None:
            pytest.fail(f"the app exited with {proc.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"the app did not serve within 120 s:\n{log.read_text()}")
        time.sleep(0.25)
    yield App(url, work / "feedback.sqlite3", log)
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, app):
    context = browser.new_context(viewport={"width": 1360, "height": 1000})
    pg = context.new_page()
    pg.set_default_timeout(TIMEOUT_MS)
    pg.goto(app.url)
    pg.wait_for_selector("#ea-question textarea")
    yield pg
    context.close()


def ask(page, question: str, *, button: bool = False) -> None:
    """Types a question and waits for its answer to finish (the input is free again)."""
    before = page.locator(".ea-question").count()
    page.fill("#ea-question textarea", question)
    if button:
        page.click("#ea-ask")
    else:
        page.press("#ea-question textarea", "Enter")
    page.wait_for_function(
        "n => document.querySelectorAll('.ea-question').length > n"
        " && !document.querySelector('.ea-pending, .ea-streaming')",
        arg=before,
    )


def last_answer(page):
    return page.locator(".ea-answer").last


WATCH_STREAMING = """() => {
  window.__seen = {pending: false, streaming: false};
  new MutationObserver(records => {
    for (const r of records) for (const node of r.addedNodes) {
      if (!(node instanceof Element)) continue;
      for (const name of ["pending", "streaming"]) {
        const sel = ".ea-" + name;
        if (node.matches(sel) || node.querySelector(sel)) window.__seen[name] = true;
      }
    }
  }).observe(document.querySelector("#ea-chat"), {childList: true, subtree: true});
}"""


def test_answer_with_citation_cards_then_a_follow_up(page):
    page.evaluate(WATCH_STREAMING)
    ask(page, "What are the focus areas of the exchange?")
    assert page.evaluate("window.__seen.pending"), "no sign that the question was being answered"
    answer = last_answer(page)
    assert "medical technology, infectious diseases and ageing" in answer.inner_text()
    refs = answer.locator(".ea-ref").all_inner_texts()
    cards = answer.locator(".ea-card")
    # every sentence carries its badge; each passage has one card with the same number
    assert refs and cards.locator(".ea-card-n").all_inner_texts() == sorted(set(refs))
    card = cards.first
    assert card.locator(".ea-card-title").inner_text() == "Exchange overview"
    assert card.locator(".ea-card-section").inner_text() == "Focus areas"
    assert "infectious diseases" in card.locator(".ea-quote").inner_text()
    assert card.locator("a").get_attribute("href") == "https://example.org/exchange"

    ask(page, "and what does Leiden study?", button=True)
    follow_up = last_answer(page)
    assert "biomedical markers" in follow_up.inner_text()
    assert follow_up.locator(".ea-card").count() >= 1

    ask(page, "Who can take part, and when does the exchange run?")
    if last_answer(page).locator(".ea-ref").count() > 1:  # streamed sentence by sentence
        assert page.evaluate("window.__seen.streaming")

    # "At a glance": facts from the index, each linked to its document
    page.wait_for_selector(".ea-fact")
    glance = page.locator("#ea-glance")
    assert "Maria Yazdanbakhsh" in glance.inner_text()
    links = glance.locator(".ea-fact-src a")
    assert links.count() >= 3
    assert {a.get_attribute("href") for a in links.all()} == {"https://example.org/exchange"}

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "ui.png"), full_page=True)


def test_abstention_is_plain_and_has_no_cards(page):
    ask(page, "Can I bring my dog to the dormitory?")
    answer = last_answer(page)
    assert "ea-abstained" in answer.get_attribute("class")
    # off the exchange's topic: said so, and whom to ask about the exchange
    assert "not seem to be about" in answer.inner_text()
    assert "Maria Yazdanbakhsh" in answer.inner_text()
    assert answer.locator(".ea-card").count() == 0


def test_ratings_are_stored_for_the_answer_rated(page, app):
    ask(page, "What are the focus areas of the exchange?")
    ask(page, "Who coordinates the exchange?")
    page.locator("#ea-chat button[aria-label='Dislike']").last.click()
    page.wait_for_selector("#ea-comment textarea")
    page.fill("#ea-comment textarea", "It should also name the contact in Nagasaki.")
    page.click("#ea-send-comment")
    page.wait_for_selector(".ea-notice-ok")
    page.locator("#ea-chat button[aria-label='Like']").first.click()

    def rated(question, rating):
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            for row in app.feedback_rows():
                done = rating == "up" or row["comment"]
                if row["question"] == question and row["rating"] == rating and done:
                    return row
            time.sleep(0.2)
        raise AssertionError(f"no {rating} rating of {question!r}: {app.feedback_rows()}")

    down = rated("Who coordinates the exchange?", "down")
    assert down["comment"] == "It should also name the contact in Nagasaki."
    assert down["history"] == '["What are the focus areas of the exchange?"]'
    assert "Maria Yazdanbakhsh" in down["answer"]
    assert "exchange.md" in down["citations"]
    assert down["created"]
    assert set(down) == {
        "id",
        "created",
        "question",
        "history",
        "answer",
        "abstained",
        "citations",
        "rating",
        "comment",
    }
    up = rated("What are the focus areas of the exchange?", "up")
    assert "medical technology" in up["answer"] and up["comment"] is None

    ask(page, "When does the exchange run?")  # the chat redraws; the thumbs given stay
    assert page.locator("#ea-chat button[aria-label='Liked']").count() == 1
    assert page.locator("#ea-chat button[aria-label='Disliked']").count() == 1
    page.locator("#ea-chat button[aria-label='Liked']").click()  # taken back
    deadline = time.monotonic() + 10
    while any(r["id"] == up["id"] for r in app.feedback_rows()):
        assert time.monotonic() < deadline, "a rating taken back stayed in the file"
        time.sleep(0.2)


def test_markup_in_a_question_is_shown_as_text_and_never_runs(page):
    page.evaluate("delete window.__pwned")
    question = "<script>window.__pwned=1</script>who coordinates the exchange?"
    ask(page, question)
    ask(page, '<img src=x onerror="window.__pwned=2">and <b>when</b> does it run?')
    assert page.evaluate("typeof window.__pwned") == "undefined"
    shown = page.locator(".ea-question").all_inner_texts()
    assert shown[0] == question
    assert shown[1] == '<img src=x onerror="window.__pwned=2">and <b>when</b> does it run?'
    assert page.locator("#ea-chat script, #ea-chat img[src='x'], #ea-chat b").count() == 0
    assert "Maria Yazdanbakhsh" in page.locator(".ea-answer").first.inner_text()


def test_sources_view_lists_the_documents_in_the_index(page):
    page.get_by_role("tab", name="Sources").click()
    page.wait_for_selector(".ea-table tbody tr")
    rows = [r.inner_text() for r in page.locator(".ea-table tbody tr").all()]
    assert len(rows) == 2
    text = "\n".join(rows)
    assert "Exchange overview" in text and "exchange.md" in text and "2026-01-15" in text
    assert "history.txt" in text
    assert "2 documents" in page.locator(".ea-sources-intro").inner_text()


def test_over_long_and_empty_questions(page):
    page.fill("#ea-question textarea", "   ")
    page.press("#ea-question textarea", "Enter")
    page.fill("#ea-question textarea", "why " * 251)
    page.press("#ea-question textarea", "Enter")
    notice = page.wait_for_selector(".ea-notice")
    assert "too long" in notice.inner_text()
    assert "1,000" in notice.inner_text()
    assert page.locator(".ea-question").count() == 0  # neither question reached the chat
    assert page.input_value("#ea-question textarea") == "why " * 251  # kept, to shorten


def test_ten_people_ask_at_once(app):
    """Ten sessions ask at the same moment; each gets its own answer, and only its own."""
    from gradio_client import Client

    questions = [
        "Who coordinates the exchange?",
        "What are the focus areas of the exchange?",
        "Who can take part in the exchange?",
        "When was NUSM founded?",
        "When does the exchange run?",
        "Can staff take part?",
        "Which institutions does the exchange link?",
        "What does Leiden study about ageing?",
        "Which country could trade with Japan?",
        "Is there a grant for travel?",
    ]

    def one(question: str):
        client = Client(app.url, verbose=False, download_files=False)
        started = time.monotonic()
        result = client.predict(question, api_name="/ask")
        return question, result, time.monotonic() - started

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=len(questions)) as pool:
        outcomes = list(pool.map(one, questions))
    elapsed = time.monotonic() - started

    for question, result, _ in outcomes:
        chat = result[0]["value"] if isinstance(result[0], dict) else result[0]
        assert len(chat) == 2, f"{question!r} saw another session's messages"
        texts = [part["text"] for m in chat for part in m["content"]]
        assert question in texts[0].replace("&#x27;", "'")
        assert "ea-answer" in texts[1] and "ea-error" not in texts[1], texts[1]
    print(f"10 simultaneous questions answered in {elapsed:.1f} s")
