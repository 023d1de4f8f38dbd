"""What kind of answer a question expects, and whether a sentence is of that kind.

A bi-encoder scores 'founded in 1857 by a doctor' and 'the doctor who founded it was Pompe van
Meerdervoort' alike for 'Who founded it?'; knowing that a *who* question wants a name separates
them. Each check here is a cheap pattern, so it can run on every candidate sentence.
"""

from __future__ import annotations

import re

from .lexical import tokenize

_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
)
_YEAR = r"(?:1[5-9]|20)\d\d"
DURATION = re.compile(
    r"\b\d+\s*(?:to\s*\d+\s*)?(?:days?|weeks?|months?|years?)\b|"  # 3 to 12 months
    rf"\b{_YEAR}\s*[–-]\s*{_YEAR}\b|"  # 2020–2023
    r"\bfrom\s+(?:the\s+)?\d{4}s?\b.*?\b(?:until|to|till)\b|\bsince\s+\d{4}\b|\bcentur(?:y|ies)\b",
    re.I,
)
DATE = re.compile(rf"\b(?:{_YEAR}|{_MONTH})\b|\b\d{{1,2}}(?:st|nd|rd|th) century\b")
# How old something is: when it began, or for how long it has lasted (not a project period).
AGE = re.compile(
    r"\b(?:founded|established|set up|began|begun|started|since|dates? (?:back|from)|"
    r"goes? back)\b|\b\d+\s+years\b|\bcentur(?:y|ies)\b",
    re.I,
)
# A count, not a year and not the 'one' of 'one of the partners'.
NUMBER = re.compile(
    rf"\b(?!{_YEAR}\b)\d+\b|\b(?:two|three|four|five|six|seven|eight|nine|ten|dozens?|hundreds?)\b",
    re.I,
)
AMOUNT = re.compile(
    r"€|\$|£|¥|\beuros?\b|\bEUR\b|\byen\b|\bfree\b|\bwaives?\b|\bno (?:tuition )?fees?\b|"
    r"\bdoes not charge\b|\bcovers?\b|\bcovering\b",
    re.I,
)
# How to do something: what one should do, where it starts, what it goes through.
PROCEDURE = re.compile(
    r"\b(?:should|must|needs? to|have to|go(?:es)? through|start(?:s)? (?:at|with)|via)\b", re.I
)
# Why: a cause, a purpose or a fit.
REASON = re.compile(
    r"\b(?:because(?! of (?:this|that|these|those|its|their)\b)|so that|since|in order to|"
    r"reasons?|therefore|thus|as a result|complement\w*|fits?|is meant to|aims? to|"
    r"would (?:strengthen|improve|raise))\b",
    re.I,
)
# Who may take part: a group of people said to be able or meant to ('staff members can also
# take part', 'aimed at Medical and Biomedical students').
PERMISSION = re.compile(
    r"\b(?:students?|staff|members?|employees|researchers?)\b.*\b(?:can|may|eligible|open to|"
    r"allowed)\b|\b(?:can|may|eligible|open to|aimed at|allowed)\b.*\b(?:students?|staff|members?|"
    r"employees|researchers?)\b",
    re.I,
)
# Where: a place or a named source ('in Kenya and Vietnam', 'in its dossier "..."').
PLACE = re.compile(
    r"\b(?:in|at|on|near)\s+(?:the\s+|its\s+|their\s+|a\s+)?(?:[a-z]+\s+){0,2}?[\"“A-Z]"
)
# These favour sentences, but an answer need not match them.
_SOFT = ((PROCEDURE,), (REASON,), (PLACE,), (PERMISSION,))
FREQUENCY = re.compile(
    r"\b(?:yearly|annual(?:ly)?|weekly|monthly|regularly|every (?:year|month|week|semester)|"
    r"each (?:year|month|semester)|per (?:year|month)|(?:once|twice|\w+ times) a (?:year|month))\b",
    re.I,
)
ROLE = re.compile(
    r"\b(?:coordinator|professor|doctor|director|head|president|dean|officer|staff|students?|"
    r"contact person|person to contact)\b",
    re.I,
)
# Capitalised words that make a name an institution, a place or a date rather than a person.
_NOT_PERSON = frozenset(
    "university school medical medicine center centre institute department faculty programme "
    "program project mobility credit international navy hospital sciences science japan "
    "netherlands dutch japanese western erasmus leiden nagasaki tokyo europe european union "
    "the a an in at on of for and under during according from since by with this these that".split()
    + [m.lower() for m in _MONTH.strip("(?:)").split("|")]
)
_CAPITALISED = re.compile(
    r"(?:\b(?:[A-Z]\.){1,3}\s*)?\b[A-Z][a-z]+(?:\s+(?:van|von|de|der|den)?\s*[A-Z][a-z]+)+"
)
_LIST_QUESTION = re.compile(
    r"^\s*(what|which) (are|were)\b|\b(areas|fields|subjects|topics|themes|list|levels)\b"
)
# 'A, B and C' (or longer) closing the sentence, each item a few words: a list, not a clause.
_ITEM = r"[\w'’+-]+(?: [\w'’+-]+){0,3}"
_ENUMERATION = re.compile(rf"(?:{_ITEM}, )+{_ITEM},? and {_ITEM}[.)]?$")
_DEFINITION = re.compile(r"^\s*what(?: is|'s| are| was| were)\s+(.+?)\??\s*$")
_KIND = re.compile(
    r"^\s*(?:what|which) (?:kind|type|sort) of [\w+' -]+? (?:is|are|was|were)\s+(.+?)\??\s*$"
)
_ENTITY_NOUNS = frozenset(
    "university department institute school faculty hospital country city port fund dossier "
    "programme program project".split()
)
_WHICH = re.compile(r"^\s*(?:which|what)\s+((?:\w+\s+){0,2}\w+)")


_HOW_MANY = re.compile(r"\bhow many\s+((?:[a-z'-]+\s+){0,2}[a-z'-]+)", re.I)
_COUNTED = re.compile(
    rf"(?:\b(?!{_YEAR}\b)\d+\+?|\b(?:two|three|four|five|six|seven|eight|nine|ten|dozens?|"
    r"hundreds?))\s+((?:[\w'-]+\s+){0,2}[\w'-]+)",
    re.I,
)


_TIME_UNITS = frozenset("days day weeks week months month years year centuries century".split())
# '25 years' is how long, not how many of what a how-many question counts.
_DURATION_ONLY = re.compile(
    r"(?:more than |over |about |up to )?\b\d+\s+(?:days?|weeks?|months?|years?|centuries)\b",
    re.I,
)


def counted(question: str) -> list[str]:
    """The words a how-many question counts ('how many partner schools' -> partner, schools)."""
    match = _HOW_MANY.search(question)
    if not match:
        return []
    words = match.group(1).split()
    kept = []
    for w in words:
        if not tokenize(w):  # 'are', 'did', 'do': the noun phrase has ended
            break
        kept.append(w.lower())
    return kept


def counts(sentence: str) -> list[str]:
    """The words around a count in the sentence: what it counts ('more than 60 universities')
    and what it is said of ('exchange agreements with more than 60 ...')."""
    words = []
    for m in _COUNTED.finditer(sentence):
        before = re.findall(r"[\w'-]+", sentence[: m.start()])[-5:]
        words += [w.lower() for w in before + m.group(1).split()]
    return words


def _same_word(a: str, b: str) -> bool:
    sa, sb = tokenize(a), tokenize(b)
    return bool(sa and sb and sa[0] == sb[0])


_TARGETS = (
    # 'Who is the president of Nagasaki University?' -> president
    re.compile(
        r"^\s*(?:who|what)(?: is|'s| are| was| were) (?:the|a|an) ([\w+-]+(?: [\w+-]+)?) "
        r"(?:of|at|for|in|to)\b",
        re.I,
    ),
    # 'What is Maria Yazdanbakhsh's email address?' -> email address
    re.compile(r"^\s*what(?: is|'s| are) [\w\s-]+?['’]s ([\w+-]+(?: [\w+-]+)?)\s*\??\s*$", re.I),
    # 'How much is the Erasmus+ grant for ...?' -> erasmus grant
    re.compile(r"^\s*how much (?:is|are|does|do) (?:the|a|an)? ?([\w+-]+(?: [\w+-]+)?)\b", re.I),
    # 'Does Nagasaki University provide student housing ...?' -> student housing
    re.compile(
        r"\b(?:provide|provides|offer|offers|give|gives) (?:\w+ )??([\w+-]+(?: [\w+-]+)?)"
        r"(?: for| to| at| in|\s*\?|$)",
        re.I,
    ),
)


_SECOND_QUESTION = re.compile(
    r"(?<![Oo]k)(?<![Ss]o)(?<=\w),?\s+and\s+(?=(?:what|who|whom|when|where|why|how|which)\b)",
    re.I,
)
_TWO_NUMBERS = re.compile(r"\b(\d+)\s+and\s+(\d+)\b")


def parts(question: str) -> list[str]:
    """The questions a message asks: 'Who was X, and what is his link with Y?' asks two, and
    'What happened in 1987 and 1989?' asks what happened in each year; most ask one."""
    text = question.strip()
    asked = [p.strip() + "?" for p in text.split("?") if re.search(r"[^\W\d_]{2}", p)]
    if len(asked) > 1:
        return asked
    pieces = _SECOND_QUESTION.split(text)
    if len(pieces) == 2 and all(p.strip() for p in pieces):
        return [pieces[0].strip().rstrip(",") + "?", pieces[1].strip()]
    numbers = _TWO_NUMBERS.search(text)
    if numbers:
        return [text[: numbers.start()] + numbers.group(n) + text[numbers.end() :] for n in (1, 2)]
    return [question]


def target(question: str) -> list[str]:
    """The thing a question asks about, where its form makes that plain: the words an answer
    must speak of ('the president of X' -> president). Empty when the form says nothing."""
    for pattern in _TARGETS:
        match = pattern.search(question)
        if match:
            return [w for w in match.group(1).split() if tokenize(w)]
    return []


def has_person_name(sentence: str) -> bool:
    for match in _CAPITALISED.finditer(sentence):
        words = [w.lower() for w in re.findall(r"[A-Za-z]+", match.group(0)) if len(w) > 1]
        names = [w for w in words if w not in ("van", "von", "de", "der", "den")]
        if len(names) >= 2 and not any(w in _NOT_PERSON for w in names):
            return True
    return False


def expected(question: str) -> tuple[re.Pattern, ...] | str | None:
    """The patterns an answer to the question should match ('person' for who-questions)."""
    q = question.lower()
    if re.search(r"\bhow long\b|\bduration\b|\blength\b|\bmin(?:imum)?\b.*\bmax(?:imum)?\b", q):
        return (DURATION,)
    if re.search(r"\bhow old\b|\bhow far back\b", q):
        return (AGE,)
    if re.search(r"\bhow (?:do|can|should|would) (?:i|we|you|one|students?)\b|\bhow to\b", q):
        return (PROCEDURE,)
    if re.search(r"^\s*why\b|\bwhy (?:do|does|did|is|are|was|were)\b", q):
        return (REASON,)
    if re.search(r"^\s*where\b", q):
        return (PLACE,)
    if re.search(r"\bhow often\b|\bfrequency\b|\bhow frequently\b", q):
        return (FREQUENCY,)
    if re.search(r"\bwhen\b|\bwhat year\b|\bwhich year\b|\bsince when\b|\bwhat date\b", q):
        return (DATE,)
    if re.search(r"\bhow many\b|\bnumber of\b", q):
        return (NUMBER,)
    if re.search(r"\bhow much\b|\bcost\b|\bprice\b|\bamount\b", q):
        return (AMOUNT,)
    if re.search(
        r"\bwho (?:can|may|is allowed to|is eligible)\b|\bcan (?:i|we|staff|students?)\b", q
    ):
        return (PERMISSION,)
    if re.search(r"^\s*(who|whom)\b|\bwho (is|was|are|were|leads|runs|coordinates|founded)\b", q):
        return "person"
    return None


def matches(question: str, sentences: list[str], related=_same_word) -> bool:
    """Whether any of the sentences is the kind of answer the question asks for.

    `related(a, b)` says whether two words name the same kind of thing; it decides whether a
    count in a sentence counts what a how-many question asks about."""
    kind = expected(question)
    if kind is None or kind in _SOFT:
        return True
    return any(_type_score(kind, question, s, related) > 0 for s in sentences)


def _type_score(kind, question: str, sentence: str, related) -> float:
    if kind == (NUMBER,):
        wanted = counted(question)
        if wanted:  # 'two institutions' does not answer 'how many students'
            if _DURATION_ONLY.search(sentence) and not any(w in _TIME_UNITS for w in wanted):
                found = counts(_DURATION_ONLY.sub(" ", sentence))
            else:
                found = counts(sentence)
            return float(any(related(a, b) for a in wanted for b in found))
    if kind == "person":
        # A who-question is best answered by a name, less well by a role ('the coordinator').
        return 1.0 if has_person_name(sentence) else 0.5 if ROLE.search(sentence) else 0.0
    return 1.0 if any(p.search(sentence) for p in kind) else 0.0


def bonus(question: str, sentence: str, unit: float, related=_same_word) -> float:
    """A push towards sentences of the kind the question asks for: a duration, a date, a count,
    a frequency, a name, a list, the named kind of thing ('which department'), or a definition
    of what the question names ('What is X?' -> 'X is ...')."""
    q = question.lower()
    total = 0.0
    kind = expected(question)
    if kind is not None:
        total += unit * _type_score(kind, question, sentence, related)
    if _LIST_QUESTION.search(q) and _ENUMERATION.search(sentence.rstrip(" .")):
        total += unit
    which = _WHICH.match(q)
    if which:
        nouns = [w for w in which.group(1).split() if w in _ENTITY_NOUNS]
        if (
            nouns
            and re.search(rf"\b[A-Z]\w+ {nouns[0]}\b|\b{nouns[0]} of [A-Z]", sentence, re.I)
            and _proper(nouns[0], sentence)
        ):
            total += unit
    subject = _KIND.match(q) or _DEFINITION.match(q)
    if subject and _defines(subject.group(1), sentence):
        total += unit
    return total


def _proper(noun: str, sentence: str) -> bool:
    """The noun appears capitalised, as part of a name ('Department of Parasitology')."""
    return re.search(rf"\b{noun.capitalize()}\b", sentence) is not None


def _defines(subject: str, sentence: str) -> bool:
    """'X is ...' where X is what the question names, give or take one word; for 'Maria's
    research' the research must be named, not only Maria."""
    wanted = set(tokenize(subject))
    head = re.split(r"\b(?:is|are|was|were)\b", sentence, maxsplit=1)
    if not wanted or len(head) != 2:
        return False
    # 'NEKKEN, the Institute of Tropical Medicine, is ...': the apposition only renames X.
    said = set(tokenize(re.sub(r",[^,]*,", " ", head[0])))
    short = re.search(r"\(([A-Z][A-Za-z]{1,9})\)\s*$", head[0].strip())
    if short and set(tokenize(short.group(1))) <= wanted:  # 'Leiden University Medical Center
        said = set(tokenize(short.group(1)))  # (LUMC) is ...' defines LUMC
    owned = re.search(r"['’]s\s+(\w+)", subject)
    if owned and not set(tokenize(owned.group(1))) <= said:
        return False
    return len(said & wanted) >= len(wanted) - 1 and len(said - wanted) <= 1
