"""`python -m evals calibrate`: fit the answerer's few knobs on the dev split, never on test.

1. The window ranker: a logistic regression over each candidate window's features, windows that
   state a required fact against those that do not, on the answerable dev cases.
2. How far another passage may score below the best and still join the answer: the margin that
   states the most facts on the answerable dev cases while the median answer stays within the
   word budget.
3. The abstention model: a logistic regression over the draft's features, answerable against
   unanswerable dev cases asked in English. The cross-language abstention model, for questions
   in other languages: the same over the features that hold across languages (e5), on every
   dev case, English ones included, since those features mean the same in any language.
4. The follow-up margin: how much likelier a follow-up must be answered read alone than read
   with the conversation to be read alone.
5. The abstention thresholds: the best separation with false abstention held at 5% or less,
   for English on the English dev cases, and for the cross-language model on the dev cases in
   other languages (cross-language similarities run lower than same-language ones). These are
   few, so many thresholds tie; the highest of the tied ones is taken.

The window ranker and the passage margins are fitted on the English dev cases: their lexical
features mean nothing for the others, and the English answers must not pay for them.

Writes assistant/calibration.json (or --out) and prints what it chose.
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
from itertools import product
from pathlib import Path

from assistant.config import Settings
from assistant.errors import QuestionError
from assistant.pipeline.abstain import CROSS_LANGUAGE_FEATURES, choose_threshold, fit
from assistant.pipeline.assistant import Assistant, build_assistant
from assistant.pipeline.calibration import DEFAULT_FILE, Calibration
from assistant.pipeline.logistic import fit_logistic
from assistant.pipeline.quotes import pick_reading
from assistant.types import Draft, Request

from .dataset import Case
from .metrics import fact_stated
from .suites import Suite, ensure_index

MARGINS = [0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0]  # in ranker logits
REDUNDANCY = [0.85, 0.9, 0.95, 1.0]  # e5 similarity at which a passage repeats another
# In e5 similarity, and never above 0: the dev follow-ups all refer back, so they would reward
# reading every question with the conversation, while a new question after another topic
# must be answered as asked. The question as asked therefore keeps precedence on ties.
FOLLOWUP_MARGINS = [-0.05, -0.03, -0.02, -0.01, 0.0]
WORD_BUDGET = 75  # median answer words on dev; the target is 80 on test, so a little room is left
MAX_FALSE_ABSTENTION = 0.05


class _Item:
    """One dev case with its retrieval done once; drafts are recomputed per setting."""

    def __init__(self, assistant: Assistant, case: Case, retrieved) -> None:
        self.assistant = assistant
        self.case = case
        self.retrieved = retrieved

    def drafts(self) -> tuple[Draft, Draft | None]:
        answerer = self.assistant.answerer
        q = self.retrieved.query
        alone = answerer.draft(q.question, self.retrieved.evidence, q.language)
        joined = None
        if q.contextual and self.retrieved.contextual_evidence is not None:
            joined = answerer.draft(q.contextual, self.retrieved.contextual_evidence, q.language)
        return alone, joined

    @property
    def foreign(self) -> bool:
        return self.retrieved.query.language is not None


def _text(draft: Draft) -> str:
    return " ".join(s for p in draft.passages for s in p.sentences)


def _as_follow_up(alone: Draft, joined: Draft | None) -> Draft:
    """For fitting passages: a follow-up as read with the conversation."""
    return joined if joined is not None else alone


def _facts(case: Case, draft: Draft) -> int:
    text = _text(draft)
    return sum(fact_stated(f, text) for f in case.facts)


def collect(base: Settings, suites: list[Suite], log=print) -> list[_Item]:
    items: list[_Item] = []
    for suite in suites:
        settings = suite.settings(base)
        ensure_index(settings)
        assistant = build_assistant(settings)
        assistant.warm_up()
        cases = suite.load("dev")
        log(f"[{suite.name}] {len(cases)} dev cases", file=sys.stderr)
        for case in cases:
            try:
                query = assistant._read(Request(question=case.question, history=case.history))
            except QuestionError:
                continue
            items.append(_Item(assistant, case, assistant._retrieve(query)))
    return items


def _assistants(items: list[_Item]) -> list[Assistant]:
    return list({id(i.assistant): i.assistant for i in items}.values())


def _set(items: list[_Item], **values) -> None:
    for a in _assistants(items):
        a.answerer.settings = a.answerer.settings.model_copy(update=values)


def calibrate(base: Settings, suites: list[Suite], out: Path = DEFAULT_FILE, log=print) -> dict:
    items = collect(base, suites, log)
    english = [i for i in items if not i.foreign]
    answerable = [i for i in english if i.case.answerable]
    n_facts = sum(len(i.case.facts) for i in answerable) or 1

    # 1. The window ranker: which windows state a required fact.
    rows, hits = [], []
    for i in answerable:
        q = i.retrieved.query
        joined = q.contextual and i.retrieved.contextual_evidence is not None and i.case.history
        text, evidence = (
            (q.contextual, i.retrieved.contextual_evidence)
            if joined
            else (q.question, i.retrieved.evidence)
        )
        for w, features in i.assistant.answerer.candidates(text, evidence):
            rows.append(features)
            hits.append(any(fact_stated(f, " ".join(w.sentences)) for f in i.case.facts))
    names = list(rows[0]) if rows else []
    ranker = fit_logistic(names, rows, hits)
    for a in _assistants(items):
        a.answerer.ranker = ranker
    log(
        f"ranker: {len(rows)} windows ({sum(hits)} state a fact): "
        f"{dict(zip(names, ranker.weights, strict=True))}",
        file=sys.stderr,
    )

    # 2. Passages: facts stated against words, abstention aside.
    cost = 0.0
    grid = []
    for margin, redundancy in product(MARGINS, REDUNDANCY):
        _set(items, extra_margin=margin, sentence_cost=cost, redundancy=redundancy)
        drafts = [_as_follow_up(*i.drafts()) for i in answerable]
        recall = sum(_facts(i.case, d) for i, d in zip(answerable, drafts, strict=True)) / n_facts
        words = statistics.median(len(_text(d).split()) for d in drafts) if drafts else 0
        grid.append((margin, redundancy, recall, words))
        log(
            f"  margin {margin}, redundancy {redundancy}: fact recall {recall:.3f}, "
            f"median {words} words",
            file=sys.stderr,
        )
    within = [g for g in grid if g[3] <= WORD_BUDGET] or grid
    margin, redundancy, recall, words = max(within, key=lambda g: (g[2], -g[3]))
    _set(items, extra_margin=margin, sentence_cost=cost, redundancy=redundancy)
    log(
        f"passages: extra_margin {margin}, redundancy {redundancy}: fact recall {recall:.3f}, "
        f"median {words} words (dev, no abstention)",
        file=sys.stderr,
    )
    # 2b. The same margin for questions in other languages: the ranker's lexical features are
    # the same for all their windows, so its scores lie closer together.
    foreign = [i for i in items if i.foreign and i.case.answerable]
    n_foreign_facts = sum(len(i.case.facts) for i in foreign) or 1
    cross_grid = []
    for m in MARGINS:
        _set(items, cross_language_extra_margin=m)
        drafts = [_as_follow_up(*i.drafts()) for i in foreign]
        found = sum(_facts(i.case, d) for i, d in zip(foreign, drafts, strict=True))
        median = statistics.median(len(_text(d).split()) for d in drafts) if drafts else 0
        cross_grid.append((m, found / n_foreign_facts, median))
        log(
            f"  other languages, margin {m}: fact recall {found / n_foreign_facts:.3f}, "
            f"median {median} words",
            file=sys.stderr,
        )
    within = [g for g in cross_grid if g[2] <= WORD_BUDGET] or cross_grid
    cross_margin = max(within, key=lambda g: (g[1], -g[2]))[0] if foreign else margin
    _set(items, cross_language_extra_margin=cross_margin)

    # 3. Abstention models on the dev drafts (a follow-up as read with the conversation).
    drafts = [i.drafts() for i in items]
    rows = [(j or a).features for a, j in drafts]
    labels = [i.case.answerable for i in items]
    usable = [(r, y, i.foreign) for r, y, i in zip(rows, labels, items, strict=True) if r]
    model = fit([r for r, _, f in usable if not f], [y for _, y, f in usable if not f])
    cross = fit([r for r, _, _ in usable], [y for _, y, _ in usable], CROSS_LANGUAGE_FEATURES)
    for a in _assistants(items):
        a.answerer.abstention = model
        a.answerer.cross_language = cross

    def probability(item: _Item, draft: Draft) -> float:
        if not draft.features:
            return 0.0
        return (cross if item.foreign else model).probability(draft.features)

    # 4. Follow-ups: read alone or with the conversation.
    follow = [(i, d) for i, d in zip(items, drafts, strict=True) if d[1] is not None]
    best_f = (0.0, -1.0)
    for fm in FOLLOWUP_MARGINS:
        right = 0
        for i, (alone, joined) in follow:
            pa, pj = probability(i, alone), probability(i, joined)
            a2 = alone.model_copy(update={"support": pa, "abstain": pa < 0.5})
            j2 = joined.model_copy(update={"support": pj, "abstain": pj < 0.5})
            d = pick_reading(i.retrieved.query.question, a2, j2, fm, i.assistant.scorer)
            if i.case.answerable:
                right += _facts(i.case, d) == len(i.case.facts)
            else:
                right += d.support < 0.5
        score = right / len(follow) if follow else 0.0
        log(f"  follow-up margin {fm}: {score:.3f}", file=sys.stderr)
        # Ties go to the margin nearest 0 (see FOLLOWUP_MARGINS).
        if score > best_f[1] or (score == best_f[1] and abs(fm) < abs(best_f[0])):
            best_f = (fm, score)
    followup_margin = best_f[0]
    log(
        f"follow-ups: margin {followup_margin}: {best_f[1]:.3f} of {len(follow)} dev follow-ups "
        "read right (before abstention)",
        file=sys.stderr,
    )

    # 5. Threshold on the probabilities of the drafts as they will be chosen.
    probabilities = []
    for i, (alone, joined) in zip(items, drafts, strict=True):
        pa = probability(i, alone)
        a2 = alone.model_copy(update={"support": pa, "abstain": pa < 0.5})
        j2 = None
        if joined is not None:
            pj = probability(i, joined)
            j2 = joined.model_copy(update={"support": pj, "abstain": pj < 0.5})
        d = pick_reading(i.retrieved.query.question, a2, j2, followup_margin, i.assistant.scorer)
        probabilities.append(d.support)

    def threshold_of(foreign: bool) -> tuple[float, float, float]:
        pairs = [
            (p, y)
            for p, y, i in zip(probabilities, labels, items, strict=True)
            if i.foreign == foreign
        ]
        if not pairs:
            return 0.5, 0.0, 0.0
        return choose_threshold(
            [p for p, _ in pairs], [y for _, y in pairs], MAX_FALSE_ABSTENTION, prefer_high=foreign
        )

    threshold, a_recall, false_rate = threshold_of(False)
    cross_threshold, cross_recall, cross_false = threshold_of(True)
    names = ", ".join(s.name for s in suites)
    n_foreign = sum(i.foreign for i in items)
    fitted_on = (
        f"dev split of {names}: {len(items)} cases ({sum(labels)} answerable, "
        f"{n_foreign} not in English), {dt.date.today().isoformat()}"
    )
    model = model.model_copy(update={"threshold": threshold, "fitted_on": fitted_on})
    cross = cross.model_copy(update={"threshold": cross_threshold, "fitted_on": fitted_on})
    # The model path's fits (calibrate-decision) are kept: they read the quote path's support
    # as one signal, so refit them after changing these values.
    previous = Calibration.load(out) if Path(out).exists() else None
    calibration = Calibration(
        decisions=previous.decisions if previous else {},
        sentence_floor=previous.sentence_floor if previous else {},
        ranker=ranker,
        abstention=model,
        cross_language=cross,
        extra_margin=margin,
        cross_language_extra_margin=cross_margin,
        sentence_cost=cost,
        redundancy=redundancy,
        followup_margin=followup_margin,
        fitted_on=fitted_on,
    )
    path = calibration.save(out)
    summary = {
        "extra_margin": margin,
        "cross_language_extra_margin": cross_margin,
        "sentence_cost": cost,
        "redundancy": redundancy,
        "dev_fact_recall_no_abstention": round(recall, 3),
        "dev_words_p50": words,
        "followup_margin": followup_margin,
        "threshold": threshold,
        "dev_abstention_recall": round(a_recall, 3),
        "dev_false_abstention": round(false_rate, 3),
        "weights": dict(zip(model.features, model.weights, strict=True)),
        "cross_language_threshold": cross_threshold,
        "dev_cross_language_abstention_recall": round(cross_recall, 3),
        "dev_cross_language_false_abstention": round(cross_false, 3),
        "cross_language_weights": dict(zip(cross.features, cross.weights, strict=True)),
        "file": str(path),
    }
    return summary


def main(base: Settings, suites: list[Suite], out: Path = DEFAULT_FILE) -> int:
    summary = calibrate(base, suites, out)
    for key, value in summary.items():
        print(f"{key}: {value}")
    return 0
