"""The last step, Draft -> Answer: the model reads the passages and the answer comes from what
it read; without a model (EXCHANGE_LLM=none), or when it cannot answer now (loading, down, too
many people ahead), the quote path answers with the passages as the documents word them."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

from assistant.config import Settings
from assistant.pipeline.replies import abstention_kind, common_fields, declined, quote_answer
from assistant.pipeline.serving import Serving, ServingIndex
from assistant.types import Answer, Draft, Query


class Responder:
    def __init__(
        self,
        settings: Settings,
        index: ServingIndex,
        scorer: Callable[[], object],
        backend: Callable[[], object],
        decline_text: Callable[[str], str],
        wait_for_model: bool,
    ) -> None:
        self.settings = settings
        self.index = index
        self._scorer = scorer
        self._backend = backend  # None for EXCHANGE_LLM=none
        self._decline_text = decline_text
        self.wait_for_model = wait_for_model
        self._model: tuple[Serving, object] | None = None
        self._lock = threading.Lock()

    def model_answerer(self):
        """The model path, with the decision fitted for this model in the serving calibration
        (made again when the calibration changes)."""
        serving = self.index.current()
        made = self._model
        if made is not None and made[0] is serving:
            return made[1]
        with self._lock:
            if self._model is None or self._model[0] is not serving:
                self._model = (serving, self._make_model_answerer(serving))
            return self._model[1]

    def _make_model_answerer(self, serving: Serving):
        from assistant.backends import kind, local_key
        from assistant.pipeline.calibration import decision_for
        from assistant.pipeline.model_answer import DEFAULT_SENTENCE_FLOOR, ModelAnswerer

        s = self.settings
        name = local_key(s) if kind(s) == "local" else s.llm.split(":", 1)[-1].strip()
        decision, floor = decision_for(serving.calibration, name)
        return ModelAnswerer(
            self._backend(),
            self._scorer(),
            decision,
            s,
            sentence_floor=floor if floor is not None else DEFAULT_SENTENCE_FLOOR,
            wait_for_load=s.reading.load_wait_s if self.wait_for_model else 0.0,
        )

    def stream(self, draft: Draft) -> Iterator[Answer]:
        q = draft.asked or Query(question=draft.query)
        if q.started:
            q.timings_ms.setdefault("sources", _ms(q.started))
        common = common_fields(q, draft)

        def decline_as(kind: str, extra: dict | None = None) -> Answer:
            return declined(q, kind, self._decline_text(kind), common, extra)

        def quotes(note: str | None) -> Answer:
            cross_language = self.index.current().answerer.cross_language is not None
            kind = abstention_kind(q, draft, cross_language)
            return quote_answer(q, draft, common, note, lambda: decline_as(kind))

        if self._backend() is None or not draft.evidence:
            yield quotes(None)
            return
        from assistant.text.language import answer_language

        language = answer_language(q.language)
        model = self.model_answerer()

        def decline(outcome: str, extra: dict) -> Answer:
            return decline_as(model.decision.kind(float(draft.features.get("best", 0.0))), extra)

        for answer in model.stream(q, draft, quotes, decline, language):
            if answer.status in ("waiting", "reading"):
                yield answer
                continue
            yield answer.model_copy(update={k: v for k, v in common.items() if k != "support"})


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 2)
