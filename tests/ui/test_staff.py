"""The staff page: absent without a token, closed without the right one, and then what the
documents did not answer and the answers marked wrong, each exportable as a draft case."""

from types import SimpleNamespace

import numpy as np
import pytest
import yaml
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr

from assistant.config import Settings
from assistant.feedback import FeedbackStore
from assistant.ui.staff import COOKIE, StaffPage
from assistant.unanswered import UnansweredStore

TOKEN = "staff-token-0123456789"


class WordsEmbedder:
    def embed_documents(self, texts):
        out = np.zeros((len(texts), 2), dtype=np.float32)
        for i, t in enumerate(texts):
            out[i, 0 if "grant" in t else 1] = 1.0
        return out


def _client(tmp_path, token: str | None = TOKEN) -> tuple[TestClient, SimpleNamespace]:
    settings = Settings(
        staff_token=SecretStr(token) if token else None,
        ui={"feedback_db": tmp_path / "fb.sqlite3"},
    )
    service = SimpleNamespace(
        settings=settings,
        feedback=FeedbackStore(tmp_path / "fb.sqlite3"),
        unanswered=UnansweredStore(tmp_path / "fb.sqlite3", 90),
        assistant=SimpleNamespace(embedder=WordsEmbedder()),
    )
    app = FastAPI()
    StaffPage(service).mount(app)
    return TestClient(app), service


def test_there_is_no_staff_page_without_a_token(tmp_path):
    client, _ = _client(tmp_path, token=None)
    assert client.get("/staff").status_code == 404
    assert client.post("/staff", data={"token": "x"}).status_code in (404, 405)


def test_a_missing_or_wrong_token_is_refused_with_401(tmp_path):
    client, _ = _client(tmp_path)
    asked = client.get("/staff")
    assert asked.status_code == 401 and '<form method="post"' in asked.text
    assert client.get("/staff", headers={"Authorization": "Bearer wrong"}).status_code == 401
    wrong = client.post("/staff", data={"token": "wrong"}, follow_redirects=False)
    assert wrong.status_code == 401 and "not right" in wrong.text
    assert client.get("/staff/export/unanswered/1").status_code == 401
    assert client.get("/staff/export/feedback/1").status_code == 401


def test_the_form_opens_the_page_with_a_cookie_that_is_not_the_token(tmp_path):
    client, _ = _client(tmp_path)
    opened = client.post("/staff", data={"token": TOKEN}, follow_redirects=False)
    assert opened.status_code == 303
    cookie = opened.cookies.get(COOKIE)
    assert cookie and TOKEN not in cookie
    assert "httponly" in opened.headers["set-cookie"].lower()
    assert "samesite=strict" in opened.headers["set-cookie"].lower()
    page = client.get("/staff")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"


def test_the_page_shows_grouped_questions_and_answers_marked_wrong(tmp_path):
    client, service = _client(tmp_path)
    for q in ["How much is the grant?", "Is the grant paid monthly?", "<b>Where</b> to live?"]:
        service.unanswered.add(q, "not_covered")
    service.feedback.add(
        question="Who can go?", answer="Only staff. [1]", rating="down", comment="Students too!"
    )
    service.feedback.add(question="When?", answer="In May. [1]", rating="up")
    page = client.get("/staff", headers={"Authorization": f"Bearer {TOKEN}"}).text
    assert "2×</span> Is the grant paid monthly?" in page and "How much is the grant?" in page
    assert "&lt;b&gt;Where&lt;/b&gt;" in page and "<b>Where</b>" not in page  # escaped
    assert "Students too!" in page and "In May" not in page  # only answers marked wrong


def test_each_item_exports_as_a_draft_eval_case(tmp_path):
    client, service = _client(tmp_path)
    first = service.unanswered.add("How much is the grant?", "not_covered")
    service.unanswered.add("What is the grant amount?", "not_covered")
    row = service.feedback.add(question="Who can go?", answer="Only staff.", rating="down")
    auth = {"Authorization": f"Bearer {TOKEN}"}
    page = client.get("/staff", headers=auth).text
    key = first + 1  # the group is named after its latest question
    assert f"/staff/export/unanswered/{key}" in page
    got = client.get(f"/staff/export/unanswered/{key}", headers=auth)
    assert got.status_code == 200 and "attachment" in got.headers["content-disposition"]
    (case,) = yaml.safe_load(got.text)
    assert case["question"] == "What is the grant amount?"
    (fb,) = yaml.safe_load(client.get(f"/staff/export/feedback/{row}", headers=auth).text)
    assert fb["question"] == "Who can go?"
    assert client.get("/staff/export/unanswered/999", headers=auth).status_code == 404


@pytest.mark.parametrize("token", ["short"])
def test_a_token_too_short_to_be_safe_is_refused(token):
    with pytest.raises(ValueError, match="at least 16"):
        Settings(staff_token=SecretStr(token))
