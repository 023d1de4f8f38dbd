"""The web UI as a person uses it: the real app in a subprocess, driven in headless Chromium at a
laptop's size (1366×900) and a small phone's (375×667).

Chromium comes from Debian's `chromium` package (CI installs it in .ci/run); Playwright only
drives it, and axe-core (from axe-playwright-python) checks accessibility. The app runs on a free
loopback port over the fixture corpus' index.
"""

from __future__ import annotations

import json
import os
import re
import shutil
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
from fakes import COORDINATOR_READING

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
SIZES = {
    "desktop": {"viewport": {"width": 1366, "height": 900}},
    "phone": {
        "viewport": {"width": 375, "height": 667},
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 2,
    },
}
CONTACT_URL = "https://example.org/exchange"  # where the fixture corpus names the coordinator

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


def _start_app(work: Path, fixture_index: Path, **env_extra: str):
    """`python app.py` on a free port, over the fixture index; yields the App, then stops it
    with SIGTERM."""
    port = _free_port()
    env = {
        **os.environ,
        "EXCHANGE_INDEX_DIR": str(fixture_index),
        "EXCHANGE_CORPUS_DIR": str(FIXTURES / "corpus"),
        "EXCHANGE_UI__PORT": str(port),
        "EXCHANGE_UI__HOST": "127.0.0.1",
        "EXCHANGE_UI__FEEDBACK_DB": str(work / "feedback.sqlite3"),
        "GRADIO_ANALYTICS_ENABLED": "False",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
        **env_extra,
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
def app(tmp_path_factory, fixture_index):
    """The app answering from quotes (no model)."""
    yield from _start_app(tmp_path_factory.mktemp("app"), fixture_index)


# What the fake model says (tests/fake_model_server.py); each piece of a reply takes a while, so
# the page's states while the model reads can be seen.
COORDINATOR = COORDINATOR_READING
PIECE_SECONDS = 0.12


FOCUS_QUESTION = "What are the focus areas of the exchange?"
STAFF_QUESTION = "Can staff members take part in the exchange?"


@pytest.fixture(scope="module")
def model_app(tmp_path_factory, fixture_index, embedder):
    """The app whose answers a model reads and writes (a fake OpenAI-compatible server), over
    a copy of the fixture index with the questions that model wrote for its sections."""
    from fake_model_server import serve

    from assistant.backends.client import ChatClient
    from assistant.config import Settings
    from assistant.pipeline.questions import write_questions

    rules = [
        ["Question: Who coordinates", COORDINATOR],  # this question, not an earlier one
        ['"Exchange overview › Focus areas"', FOCUS_QUESTION],  # writing a section's question
        ['"Exchange overview › Who can take part › Staff"', STAFF_QUESTION],
    ]
    server, _ = serve({"rules": rules, "token_delay": PIECE_SECONDS})
    url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    work = tmp_path_factory.mktemp("model-app")
    index = work / "index"
    shutil.copytree(fixture_index, index)
    settings = Settings(corpus_dir=FIXTURES / "corpus", index_dir=index)
    bank = write_questions(settings, ChatClient(url, "fake"), "fake", embedder=embedder)
    assert {q.question for q in bank.questions.values()} == {FOCUS_QUESTION, STAFF_QUESTION}
    try:
        yield from _start_app(work, index, EXCHANGE_LLM="openai:fake", EXCHANGE_MODEL__BASE_URL=url)
    finally:
        server.shutdown()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


def _open(browser, app, size: str):
    context = browser.new_context(**SIZES[size])
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=app.url.rstrip("/"))
    pg = context.new_page()
    pg.set_default_timeout(TIMEOUT_MS)
    pg.goto(app.url)
    # The page renders in parts: on a busy machine the question box can come before the chat.
    pg.wait_for_selector("#ea-question textarea")
    pg.wait_for_selector("#ea-chat", state="attached")
    return context, pg


@pytest.fixture(params=list(SIZES))
def page(request, browser, app):
    """The page at both sizes; `page.size` says which."""
    context, pg = _open(browser, app, request.param)
    pg.size = request.param
    yield pg
    context.close()


@pytest.fixture
def desktop(browser, app):
    context, pg = _open(browser, app, "desktop")
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
    wait_answered(page, before)


def wait_answered(page, before: int) -> None:
    page.wait_for_function(
        "n => document.querySelectorAll('.ea-question').length > n"
        " && !document.querySelector('.ea-pending, .ea-streaming')"
        " && !document.querySelector('#ea-question textarea').disabled",
        arg=before,
    )


def last_answer(page):
    return page.locator(".ea-answer").last


def in_view(page, locator) -> bool:
    """Whether the element is inside the chat's visible area and the window's."""
    return page.evaluate(
        """el => {
          const r = el.getBoundingClientRect();
          const chat = el.closest('.bubble-wrap').getBoundingClientRect();
          return r.top >= chat.top - 1 && r.top < chat.bottom && r.top >= 0
            && r.top < innerHeight;
        }""",
        locator.element_handle(),
    )


WATCH = """() => {
  window.__seen = {pending: false, streaming: false, thumbsOnPlaceholder: false};
  // A state shown and replaced between two callbacks (a quick answer on a busy machine) is
  // still in the records' added nodes, though no longer in the document.
  const seen = (records, sel) => document.querySelector(sel) || records.some(r =>
    [...r.addedNodes].some(n => n.nodeType === 1 && (n.matches(sel) || n.querySelector(sel))));
  new MutationObserver((records) => {
    if (seen(records, '.ea-pending')) window.__seen.pending = true;
    if (seen(records, '.ea-streaming')) window.__seen.streaming = true;
    for (const m of document.querySelectorAll('#ea-chat .message.bot')) {
      if (m.querySelector('.ea-pending, .ea-streaming') && m.querySelector('.ea-thumb'))
        window.__seen.thumbsOnPlaceholder = true;
    }
  }).observe(document.querySelector("#ea-chat"), {childList: true, subtree: true});
}"""


# -- the answer --------------------------------------------------------------------------------


def test_the_answer_is_marked_and_a_badge_opens_its_card(page):
    page.evaluate(WATCH)
    ask(page, "What are the focus areas of the exchange?")
    assert page.evaluate("window.__seen.pending"), "no sign that the question was being answered"
    answer = last_answer(page)
    assert "medical technology, infectious diseases and ageing" in answer.inner_text()
    marked = answer.locator("mark.ea-hl").all_inner_texts()
    assert any("medical technology" in m for m in marked), marked

    badges = answer.locator("button.ea-ref")
    cards = answer.locator(".ea-card")
    numbers = sorted({b.inner_text().split()[-1] for b in badges.all()})
    shown = [t.split()[-1] for t in cards.locator(".ea-card-n").all_inner_texts()]
    assert numbers and shown == numbers
    assert not cards.first.locator("details").evaluate("d => d.open")  # closed until asked

    scrolled = page.evaluate("scrollY")
    badges.last.click()
    card = answer.locator(f".ea-card-{numbers[-1]}")
    page.wait_for_function("d => d.open", arg=card.locator("details").element_handle())
    page.wait_for_timeout(700)  # the chat scrolls smoothly
    assert in_view(page, card)
    assert page.evaluate("scrollY") == scrolled  # the chat scrolls, the page stays
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"

    assert card.locator(".ea-card-title").inner_text() == "Exchange overview"
    assert card.locator(".ea-card-section").inner_text() == "Focus areas"
    assert card.locator("a.ea-card-link").get_attribute("href") == "https://example.org/exchange"
    body = card.locator(".ea-card-body").inner_text()
    assert "quoted in the answer" in body or "quotes this section in full" in body
    assert not any(m in body for m in marked)  # the card does not repeat the answer
    assert "exchange.md" not in answer.inner_text()  # never a file name

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"ui-{page.size}.png"))


def test_copy_puts_the_answer_and_its_sources_on_the_clipboard(page):
    ask(page, "Who coordinates the exchange?")
    answer = last_answer(page)
    answer.locator("button.ea-copy").click()
    page.wait_for_function("() => document.querySelector('.ea-copy').textContent === 'Copied'")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "Maria Yazdanbakhsh" in copied and "[1]" in copied
    assert "\nSources\n[1] Exchange overview, Key facts: https://example.org/exchange" in copied


def test_a_suggested_question_asks_itself(page):
    ask(page, "What are the focus areas of the exchange?")
    suggestions = last_answer(page).locator("button.ea-suggest")
    assert 2 <= suggestions.count() <= 3
    first = suggestions.first
    asks = first.locator(".ea-suggest-ask").evaluate("e => e.textContent")
    assert asks.startswith("Exchange overview: ")  # a section of the document next to the cited
    before = page.locator(".ea-question").count()
    first.click()
    wait_answered(page, before)
    assert page.locator(".ea-question").last.inner_text() == asks
    assert "ea-error" not in last_answer(page).get_attribute("class")
    assert page.input_value("#ea-question textarea") == ""


def test_an_abstention_links_to_the_contact_route(page):
    ask(page, "Can I bring my dog to the dormitory?")
    answer = last_answer(page)
    assert "ea-abstained" in answer.get_attribute("class")
    assert "not about what the documents cover" in answer.inner_text()
    assert "Maria Yazdanbakhsh" in answer.inner_text()
    link = answer.locator(".ea-contact a")
    assert link.get_attribute("href") == CONTACT_URL
    assert "Exchange overview" in link.inner_text()
    assert answer.locator(".ea-card").count() == 0


# -- while the answer comes -------------------------------------------------------------------

STATES = """() => {
  window.__states = [];
  const seen = (name) => { if (!window.__states.includes(name)) window.__states.push(name); };
  new MutationObserver(() => {
    const last = [...document.querySelectorAll('#ea-chat .message.bot')].pop();
    if (!last) return;
    if (last.querySelector('.ea-reading-list li')) seen('sources');
    if (/Reading the documents/.test(last.textContent)) seen('reading');
    if (last.querySelector('.ea-text')) seen('text');
  }).observe(document.querySelector('#ea-chat'), {childList: true, subtree: true,
                                                  characterData: true});
}"""


def test_the_sources_show_first_then_the_checked_answer(browser, model_app):
    context, page = _open(browser, model_app, "desktop")
    try:
        page.evaluate(STATES)
        ask(page, "Who coordinates the exchange at LUMC?")
        assert page.evaluate("window.__states") == ["sources", "reading", "text"]
        answer = last_answer(page)
        assert "Maria Yazdanbakhsh" in answer.inner_text()
        assert "ea-mode-model" in answer.get_attribute("class")
    finally:
        context.close()


def test_stop_ends_the_answer_and_the_next_question_is_answered(browser, model_app):
    context, page = _open(browser, model_app, "desktop")
    try:
        page.fill("#ea-question textarea", "Who coordinates the exchange at LUMC?")
        page.press("#ea-question textarea", "Enter")
        page.wait_for_selector(".ea-reading")
        assert page.locator("#ea-ask").is_visible() is False  # Stop stands in its place
        page.click("#ea-stop")
        page.wait_for_selector("text=You stopped this answer")
        assert page.locator("#ea-ask").is_visible() and not page.locator("#ea-stop").is_visible()
        page.wait_for_timeout(int(PIECE_SECONDS * 40 * 1000))  # the stopped one would be done
        assert page.locator(".ea-answer .ea-text").count() == 0  # and it never came back
        # The model is free again: the stopped question held no place in its line.
        ask(page, "Who coordinates the exchange?")
        assert "Maria Yazdanbakhsh" in last_answer(page).inner_text()
    finally:
        context.close()


def test_the_chat_follows_the_answer_unless_the_person_scrolled_up(browser, model_app):
    context, page = _open(browser, model_app, "phone")
    try:
        for _ in range(3):
            ask(page, "Who coordinates the exchange at LUMC?")
        # followed: the newest question heads the chat and its answer reads from the start
        assert in_view(page, page.locator(".ea-question").last)
        assert in_view(page, last_answer(page).locator(".ea-text"))
        scroller = "document.querySelector('#ea-chat .bubble-wrap')"
        page.fill("#ea-question textarea", "Who coordinates the exchange?")
        page.press("#ea-question textarea", "Enter")
        page.wait_for_selector(".ea-reading")
        chat = page.locator("#ea-chat").bounding_box()
        page.mouse.move(chat["x"] + chat["width"] / 2, chat["y"] + chat["height"] / 2)
        for _ in range(20):  # the person scrolls up to read an earlier answer
            page.mouse.wheel(0, -400)
        page.wait_for_timeout(300)
        assert page.evaluate(f"{scroller}.scrollTop") < 50
        page.wait_for_function("!document.querySelector('.ea-pending, .ea-streaming')")
        page.wait_for_timeout(500)
        assert page.evaluate(f"{scroller}.scrollTop") < 50  # left where the person was
    finally:
        context.close()


def test_the_start_screen_and_ask_next_offer_questions_the_documents_answer(browser, model_app):
    context, page = _open(browser, model_app, "phone")
    try:
        examples = page.locator("#ea-chat .example")  # gradio's example buttons
        assert sorted(examples.all_inner_texts()) == sorted([FOCUS_QUESTION, STAFF_QUESTION])
        ask(page, "Who coordinates the exchange at LUMC?")
        nxt = last_answer(page).locator(".ea-next")
        assert nxt.locator(".ea-next-label").text_content() == "Ask next"
        names = last_answer(page).locator(".ea-suggest-name").all_inner_texts()
        assert names == [STAFF_QUESTION, FOCUS_QUESTION]  # the nearer section first
    finally:
        context.close()


def test_an_unrelated_question_after_a_turn_is_declined(browser, model_app):
    context, page = _open(browser, model_app, "desktop")
    try:
        ask(page, "Who coordinates the exchange at LUMC?")
        ask(page, "What is the capital of France?")
        answer = last_answer(page)
        assert "ea-abstained" in answer.get_attribute("class")
        assert answer.locator(".ea-card").count() == 0
    finally:
        context.close()


def test_the_language_label_belongs_to_each_question(desktop):
    ask(desktop, "Wie coördineert de uitwisseling?")
    assert last_answer(desktop).locator(".ea-lang").inner_text() == "Read as Dutch"
    ask(desktop, "Who coordinates the exchange?")
    assert last_answer(desktop).locator(".ea-lang").count() == 0


# -- feedback ----------------------------------------------------------------------------------


def test_feedback_sits_under_the_answer_it_rates(desktop, app):
    page = desktop
    page.evaluate(WATCH)
    ask(page, "What are the focus areas of the exchange?")
    ask(page, "Who coordinates the exchange?")
    first, second = page.locator(".ea-answer").nth(0), page.locator(".ea-answer").nth(1)
    up, down = first.locator(".ea-thumb.ea-up"), first.locator(".ea-thumb.ea-down")
    assert up.bounding_box()["x"] < down.bounding_box()["x"]  # thumbs up, then down
    assert not page.evaluate("window.__seen.thumbsOnPlaceholder")

    second.locator(".ea-thumb.ea-down").click()
    box = page.locator(".ea-answer").nth(1).locator(".ea-comment textarea")
    box.wait_for()
    assert page.locator(".ea-comment").count() == 1  # on the answer rated, and only there
    assert "wrong or missing" in page.locator(".ea-comment label").inner_text()
    assert page.evaluate("document.activeElement.tagName") == "TEXTAREA"
    box.fill("It should also name the contact in Nagasaki.")
    page.locator(".ea-answer").nth(1).locator(".ea-send").click()
    notice = page.locator(".ea-answer").nth(1).locator(".ea-fb-notice")
    notice.wait_for()
    assert notice.inner_text() == "Thanks, your comment was saved."
    assert page.locator(".ea-answer").nth(1).locator(".ea-thumb.ea-down.ea-on").count() == 1

    page.locator(".ea-answer").nth(0).locator(".ea-thumb.ea-up").click()
    page.locator(".ea-answer").nth(0).locator(".ea-comment textarea").wait_for()
    assert page.locator(".ea-fb-notice").count() == 0  # the old notice is gone
    assert page.locator(".ea-comment").count() == 1

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
    up_row = rated("What are the focus areas of the exchange?", "up")
    assert "medical technology" in up_row["answer"] and up_row["comment"] is None

    ask(page, "When does the exchange run?")  # the chat redraws; the thumbs given stay
    assert page.locator(".ea-thumb.ea-on").count() == 2
    assert page.locator(".ea-comment").count() == 0
    page.locator(".ea-answer").nth(0).locator(".ea-thumb.ea-up").click()  # taken back
    deadline = time.monotonic() + 10
    while any(r["id"] == up_row["id"] for r in app.feedback_rows()):
        assert time.monotonic() < deadline, "a rating taken back stayed in the file"
        time.sleep(0.2)


# -- phone and keyboard ------------------------------------------------------------------------


def test_the_page_opens_at_the_top_with_the_question_box_in_view(page):
    page.wait_for_selector(".ea-fact")  # the side panel has filled in; nothing moved the page
    page.wait_for_timeout(300)
    assert page.evaluate("scrollY") == 0
    assert page.evaluate("document.activeElement.tagName") != "TEXTAREA"
    height = page.viewport_size["height"]
    box = page.locator("#ea-question textarea").bounding_box()
    assert box["y"] + box["height"] <= height  # the question box is on the first screen
    chat = page.locator("#ea-chat").bounding_box()
    assert chat["height"] >= 0.5 * height  # and the chat fills most of it
    assert page.locator("#ea-ask").bounding_box()["y"] + 44 <= height
    new = page.locator("#ea-new").bounding_box()  # starting over is always at hand
    assert new["y"] + new["height"] <= height
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    # the chat's own bin icon is not there: "New conversation" starts over
    assert page.locator("#ea-chat button[aria-label='Clear']").is_visible() is False


def test_controls_are_labelled_large_enough_and_show_focus(page):
    ask(page, "What are the focus areas of the exchange?")
    assert page.get_by_role("textbox", name="Your question").count() == 1
    small = page.evaluate(
        """() => [...document.querySelectorAll(
              '#ea-chat button:not(.ea-ref), #ea-chat summary, #ea-chat a, #ea-ask, #ea-new,'
              + ' [role=tab], #ea-question textarea')]
            .filter(e => e.offsetParent !== null)
            .map(e => [e.className || e.id || e.tagName, e.getBoundingClientRect().height])
            .filter(([, h]) => h < 44)"""
    )
    assert small == []
    # a citation badge sits in a line of text: 26 px drawn, 44 px to touch
    reach = page.evaluate(
        """() => { const b = document.querySelector('.ea-ref'); const r = b.getBoundingClientRect();
                  const x = r.left + r.width / 2, y = r.top + r.height / 2;
                  return [y - 20, y + 20].map(yy => document.elementFromPoint(x, yy) === b); }"""
    )
    assert reach == [True, True]

    # every control the keyboard reaches shows where it is
    reached, missing = tab_round(page)
    assert missing == []
    # the round reached the answer's citation and the controls under the chat
    assert any("ea-ref" in name for name in reached), " > ".join(reached)
    assert {"ea-ask", "ea-new"} <= set(reached), " > ".join(reached)


def test_tab_from_the_chat_goes_on_to_the_question_box_past_its_scroll_button(browser, app):
    """The chat's own "Scroll down" button shows while the chat is not at its end, and vanishes
    once it is: focus on it was lost to the bare page. It is left to the pointer, out of the tab
    order, so Tab from the last control of an answer goes on to the question box; and pressing
    it takes the chat to its end, where following the answer no longer puts it back."""
    context, pg = _open(browser, app, "phone")
    try:
        ask(pg, FOCUS_QUESTION)
        # moved by no person (no wheel, touch or key): the chat still follows the question
        pg.evaluate("() => { document.querySelector('#ea-chat .bubble-wrap').scrollTop = 0; }")
        scroll = pg.locator('#ea-chat button[aria-label="Scroll down"]')
        scroll.wait_for()
        assert scroll.evaluate("b => b.tabIndex") == -1
        scroll.click()  # the pointer still has it
        pg.wait_for_function(
            """() => { const b = document.querySelector('#ea-chat .bubble-wrap');
                      return b.scrollHeight - b.scrollTop - b.clientHeight < 2; }""",
            timeout=10_000,
        )
        pg.locator("#ea-chat .ea-suggest").last.focus()
        pg.keyboard.press("Tab")
        assert pg.evaluate("() => document.activeElement.closest('#ea-question') !== null")
    finally:
        context.close()


# Where a Tab press put focus: [control, whether it shows a ring, whether the page redrew or hid
# the control focus was on before]; a control already reached, or the body, ends the round. A
# redraw is seen at any step: from a control taken out of the page, focus falls to the body, or
# the next Tab starts from the top of the page and lands on a control already reached.
FOCUS_STEP = """() => {
  const e = document.activeElement, last = window.__eaLastFocus;
  const redrawn = !!last && (!last.isConnected || last.getClientRects().length === 0);
  if (redrawn || e === document.body || e.dataset.eaReached)
    return [null, true, redrawn];
  e.dataset.eaReached = '1';
  window.__eaLastFocus = e;
  const s = getComputedStyle(e);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
  const shadow = s.boxShadow !== 'none' && s.boxShadow.includes('0px 0px');
  return [e.id || e.tagName + '.' + e.className, outline || shadow, false];
}"""


def tab_round(page, tries: int = 3) -> tuple[list[str], list[str]]:
    """Tab from the first tab round the page until focus leaves the last control (the body is
    next, then the browser's own bar) or comes back to one it has been on: the controls reached,
    and those among them that show no focus ring. A round in which the page redrew or hid the
    control that had focus is walked again: on a busy machine the chat can still be drawing
    when the round starts."""
    for _ in range(tries):
        page.evaluate(
            "() => { window.__eaLastFocus = null; document.querySelectorAll('[data-ea-reached]')"
            ".forEach(e => delete e.dataset.eaReached); }"
        )
        page.locator("#ea-tabs [role=tab]").first.focus()
        reached, missing, redrawn = [], [], False
        for _ in range(60):
            page.keyboard.press("Tab")
            name, shown, redrawn = page.evaluate(FOCUS_STEP)
            if name is None:
                break
            reached.append(name)
            if not shown:
                missing.append(name)
        if not redrawn:
            return reached, missing
    raise AssertionError(f"the page redrew the focused control in each of {tries} rounds")


def test_axe_finds_no_serious_or_critical_violations(page, app):
    from axe_playwright_python.sync_playwright import Axe

    ask(page, "What are the focus areas of the exchange?")
    last_answer(page).locator("button.ea-ref").first.click()
    last_answer(page).locator(".ea-thumb.ea-down").click()
    page.locator(".ea-comment textarea").wait_for()
    ask(page, "Can I bring my dog to the dormitory?")
    results = Axe().run(page)
    found = results.response["violations"]
    ARTIFACTS.mkdir(exist_ok=True)
    summary = [{"id": v["id"], "impact": v["impact"], "nodes": len(v["nodes"])} for v in found]
    (ARTIFACTS / f"axe-{page.size}.json").write_text(json.dumps(summary, indent=1))
    bad = [v for v in found if v["impact"] in ("serious", "critical")]
    assert bad == [], results.generate_report()


def test_the_dark_theme_follows_the_system_and_keeps_contrast(browser, app):
    """prefers-color-scheme: dark gives a dark page (gradio's .dark) with our colours turned
    too, and axe finds no serious or critical violation there either (contrast included)."""
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(**SIZES["desktop"], color_scheme="dark")
    pg = context.new_page()
    pg.set_default_timeout(TIMEOUT_MS)
    try:
        pg.goto(app.url)
        pg.wait_for_selector("#ea-question textarea")
        ask(pg, "What are the focus areas of the exchange?")
        last_answer(pg).locator("button.ea-ref").first.click()
        ask(pg, "Can I bring my dog to the dormitory?")
        dark = pg.evaluate(
            "() => getComputedStyle(document.querySelector('#ea-chat')).backgroundColor"
        )
        channels = [int(x) for x in re.findall(r"\d+", dark)[:3]]
        assert max(channels) < 80, dark  # a dark surface, not the light one
        results = Axe().run(pg)
        found = results.response["violations"]
        ARTIFACTS.mkdir(exist_ok=True)
        summary = [{"id": v["id"], "impact": v["impact"], "nodes": len(v["nodes"])} for v in found]
        (ARTIFACTS / "axe-dark.json").write_text(json.dumps(summary, indent=1))
        pg.screenshot(path=str(ARTIFACTS / "ui-dark.png"))
        bad = [v for v in found if v["impact"] in ("serious", "critical")]
        assert bad == [], results.generate_report()
    finally:
        context.close()


# -- what the page already did -----------------------------------------------------------------


def test_a_follow_up_and_the_glance(desktop):
    page = desktop
    ask(page, "What are the focus areas of the exchange?")
    ask(page, "and what does Leiden study?", button=True)
    follow_up = last_answer(page)
    assert "biomedical markers" in follow_up.inner_text()
    assert follow_up.locator(".ea-card").count() >= 1

    # "At a glance": facts from the index, each linked to its document
    page.wait_for_selector(".ea-fact")
    glance = page.locator("#ea-glance")
    assert "Maria Yazdanbakhsh" in glance.inner_text()
    links = glance.locator(".ea-fact-src a")
    assert links.count() >= 3
    assert {a.get_attribute("href") for a in links.all()} == {"https://example.org/exchange"}
    contact = page.locator("#ea-contact a")
    assert contact.get_attribute("href") == CONTACT_URL


def test_markup_in_a_question_is_shown_as_text_and_never_runs(desktop):
    page = desktop
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


def test_sources_view_lists_the_documents_in_the_index(desktop):
    page = desktop
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
    notice = page.wait_for_selector(".ea-notice")
    assert notice.inner_text() == "Please type a question."
    page.fill("#ea-question textarea", "why " * 251)
    page.press("#ea-question textarea", "Enter")
    page.wait_for_function(
        "() => document.querySelector('.ea-notice').textContent.includes('too long')"
    )
    assert "1,000" in page.locator(".ea-notice").inner_text()
    assert page.locator(".ea-count").inner_text() == "1,004 / 1,000 characters"
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
