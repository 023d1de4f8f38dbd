"""Where the model's words stand in the passages, and whether its sentence says what they say.

The quote the model copied is looked up in the passages by fuzzy alignment (rapidfuzz), since
a small model drops a comma or changes a capital; what it aligns with, widened to whole
sentences (a list with its lead-in counts as one), is the support shown in the documents' own
words. The model's sentence is kept only if it states no number and no address (e-mail, web
address) the passages lack, and is close in meaning to that support (multilingual e5, so a
Dutch sentence over an English passage is checked the same way).
"""

from __future__ import annotations

import re
import unicodedata

from pydantic import BaseModel
from text_to_num import alpha2digit

from assistant.pipeline.passages import units_of
from assistant.pipeline.reading import Source
from assistant.pipeline.verify import is_instruction

_DIGITS = re.compile(r"\d+")
# Addresses are copied whole or they are wrong: an e-mail address, a web address, a host name
# (lower-case labels and a top-level domain, so "e.g." and "Ph.D." are not taken for one).
# ASCII only, so that the words of a sentence in Japanese around an address stay out of it.
_ADDRESS = re.compile(
    r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"
    r"|(?:https?://|www\.)[^\s<>()\[\]\"']+"
    r"|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,24}\b(?:/[^\s<>()\[\]\"']*)?"
)
_SCHEME = re.compile(r"https?://|www\.")
# The languages whose spelled-out numbers text2num turns into digits.
_SPELLED_LANGUAGES = ("en", "nl", "de", "fr", "es", "pt", "it", "da")


class Located(BaseModel):
    """The model's quote, found in passage `n`."""

    n: int
    score: float  # 0..1, how exactly the quote matches the passage's words
    start: int
    end: int
    support: list[str]  # the passage's sentences (or list) that hold the quote


def locate(quote: str | None, sources: list[Source], prefer: int | None = None) -> Located | None:
    """The passage the quote comes from and where; None when it is in none of them."""
    from rapidfuzz import fuzz

    if not quote or len(quote.strip()) < 2:
        return None
    best: Located | None = None
    order = sorted(sources, key=lambda s: s.n != prefer)
    for s in order:
        found = fuzz.partial_ratio_alignment(quote, s.text, processor=_fold)
        if found is None:
            continue
        score = found.score / 100.0
        if best is None or score > best.score + 1e-9:
            best = Located(
                n=s.n, score=score, start=found.dest_start, end=found.dest_end, support=[]
            )
    if best is None:
        return None
    source = next(s for s in sources if s.n == best.n)
    best.support = support_units(source.text, best.start, best.end)
    return best


def locate_meaning(sentence: str | None, sources: list[Source], scorer) -> Located | None:
    """Where the passages say what the sentence says, when the model quoted nothing that can
    be found: the passage unit closest to it in meaning (e5). Its `score` is 0: nothing was
    copied."""
    if not sentence:
        return None
    units: list[tuple[int, str]] = []
    for s in sources:
        units += [(s.n, " ".join(u)) for u in units_of(s.text) if not is_instruction(" ".join(u))]
    if not units:
        return None
    vectors = scorer.passages([sentence, *(u for _, u in units)])
    sims = vectors[1:] @ vectors[0]
    best = int(sims.argmax())
    n, unit = units[best]
    return Located(n=n, score=0.0, start=0, end=0, support=[unit])


def ground_beside(
    scorer,
    sentence: str,
    source: Source,
    near: list[str],
    floor: float,
    language: str | None = None,
) -> Located | None:
    """The unit next to the words the model quoted (`near`, units of `source`) that carries
    its sentence when those words do not: a small model often copies the sentence beside the
    one that says it (it writes the date and quotes the line after the date). Only the
    neighbours: further away, a unit that merely shares a number or a subject with the
    sentence would stand behind a claim the model made up. The neighbour closest to the
    sentence in meaning (e5) among those that give its numbers and addresses, if it is close
    enough to be shown by; None otherwise."""
    units = [" ".join(u) for u in units_of(source.text)]
    at = {i for i, u in enumerate(units) if any(u in n or n in u for n in near)}
    beside = sorted({j for i in at for j in (i - 1, i + 1)} - at)
    candidates = [
        units[j]
        for j in beside
        if 0 <= j < len(units)
        and not is_instruction(units[j])
        and values_supported(sentence, units[j], language)
    ]
    if not candidates:
        return None
    vectors = scorer.passages([sentence, *candidates])
    sims = vectors[1:] @ vectors[0]
    best = int(sims.argmax())
    if float(sims[best]) < floor:
        return None
    return candidates[best]


def _fold(text: str) -> str:
    return text.lower()


def support_units(text: str, start: int, end: int, limit: int = 2) -> list[str]:
    """The units (sentences, or a list with its lead-in) of `text` that overlap [start, end)."""
    spans: list[tuple[int, int, str]] = []
    cursor = 0
    for unit in units_of(text):
        first = text.find(unit[0][:40], cursor)
        if first < 0:
            continue
        last_sentence = unit[-1]
        tail = text.find(last_sentence[-40:], first)
        stop = tail + len(last_sentence[-40:]) if tail >= 0 else first + len(unit[0])
        spans.append((first, stop, " ".join(unit)))
        cursor = stop
    hit = [u for a, b, u in spans if a < end and b > start and not is_instruction(u)]
    if not hit and spans:  # a quote inside a heading or a label: the unit right after it
        after = [u for a, _, u in spans if a >= start and not is_instruction(u)]
        hit = after[:1]
    return hit[:limit]


def numbers_supported(sentence: str, passages: str, language: str | None = None) -> bool:
    """Every number in the sentence stands in the passages (digits compared, so 1,500 and
    1.500 and 1500 are the same number, and so are full-width ２０２０ and 2020). A number the
    passages spell out ("three fields", "drie maanden") is the same number in digits: the model
    writes the count it read, often in digits and in another language than the passage.

    A number the sentence spells out ("up to six months") is a number too, read in the
    sentence's `language` (an ISO code) when text2num knows it: read in every language, an
    English "once" would be the Spanish 11. With no language, only its digits are read."""
    text = _compatible(sentence)
    asked = _digit_runs(text)
    if language in _SPELLED_LANGUAGES:
        asked += _digit_runs(alpha2digit(text, language))
    if not asked:
        return True
    have = _numbers_in(_compatible(passages))
    return all(n in have for n in asked)


def _numbers_in(text: str) -> set[str]:
    """The numbers a text gives, in digits: those it writes in digits and those it spells out in
    any language text2num reads (every one of them is tried: a passage does not say its own).
    A lone "one" or "two" is left as a word, text2num's default: "one of the students" gives
    no 1, so a model that writes "1万円" over such a passage has still made its number up."""
    spelled = [alpha2digit(text, lang) for lang in _SPELLED_LANGUAGES]
    return {n for t in (text, *spelled) for n in _digit_runs(t)}


def _digit_runs(text: str) -> list[str]:
    """The numbers of a text by their digits alone, so 1,500 and 1.500 and 1500 are one."""
    return _DIGITS.findall(text.replace(",", "").replace(".", ""))


def addresses_supported(sentence: str, passages: str) -> bool:
    """Every e-mail or web address in the sentence stands in the passages, letter for letter
    but for case, the scheme and a trailing slash: a model that composes one ("the office's
    address is office@college.ac.uk") invents it."""
    have = _SCHEME.sub("", _compatible(passages).lower())
    for found in _ADDRESS.findall(_compatible(sentence)):
        address = _SCHEME.sub("", found.lower()).rstrip("/.,;:!?")
        if address and address not in have:
            return False
    return True


def _compatible(text: str) -> str:
    """Full-width digits and letters as their ASCII forms (Unicode NFKC), as a sentence in
    Japanese may write them."""
    return unicodedata.normalize("NFKC", text)


def values_supported(sentence: str, passages: str, language: str | None = None) -> bool:
    """What a sentence must copy, not compose, is in the passages: its numbers and addresses
    (`language`: the sentence's, for the numbers it spells out)."""
    return numbers_supported(sentence, passages, language) and addresses_supported(
        sentence, passages
    )


def grounded(
    scorer, sentence: str, texts: list[str], floor: float, language: str | None = None
) -> bool:
    """The check a model's sentence passes to be shown: no number or address that `texts`
    lack, and one of `texts` close to it in meaning (e5). The answer's composer and the eval
    make the same check, so what is shown is what is measured (the eval without the language,
    which reads only the numbers in digits: no shown sentence can fail it for its numbers)."""
    texts = [t for t in texts if t.strip()]
    if not texts or not values_supported(sentence, " ".join(texts), language):
        return False
    vectors = scorer.passages([sentence, *texts])
    return float((vectors[1:] @ vectors[0]).max()) >= floor


def chunk_grounds(chunk_text: str) -> list[str]:
    """What a sentence citing a chunk may rest on: each unit of the chunk, and each two
    neighbouring units together (the composer's support is at most two units)."""
    units = [" ".join(u) for u in units_of(chunk_text)]
    return units + [f"{a} {b}" for a, b in zip(units, units[1:], strict=False)]


def similarity(scorer, a: str, b: str) -> float:
    """Cosine similarity of two texts as e5 passages."""
    vectors = scorer.passages([a, b])
    return float(vectors[0] @ vectors[1])
