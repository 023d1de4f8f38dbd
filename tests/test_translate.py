"""Rewriting a question into English with the (here: fake) local model."""

import threading

from langchain_core.language_models.fake_chat_models import FakeListChatModel

from assistant.translate import Translator


def _translator(reply: str) -> Translator:
    return Translator(FakeListChatModel(responses=[reply]), "system", threading.Lock())


def test_the_first_line_of_the_reply_is_the_english_question():
    t = _translator('"Who can take part in the exchange?"\nThis is the translation.')
    assert t.english("Wie kan meedoen aan de uitwisseling?") == "Who can take part in the exchange?"


def test_a_reply_that_is_no_translation_is_refused():
    assert _translator("交換留学に参加できるのは誰ですか").english("誰が参加できますか?") is None
    assert _translator("word " * 200).english("Wie kan meedoen?") is None
