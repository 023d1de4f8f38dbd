"""Assistant: the one entry point. CLI, UI and evals all ask through it.

The pipeline is one LangChain runnable with a pydantic type at each step:
Request -read-> Query -retrieve-> Retrieved -choose-> Draft -respond-> Answer. `ask`, `stream`
and `batch` all run it, so callbacks and tracing see every question the same way. The steps
live in their own modules (question, retrieve, quotes, respond); this one composes them over
the serving index (serving.py) and the models, each loaded when first needed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from langchain_core.runnables import Runnable, RunnableConfig, RunnableGenerator, RunnableLambda

from assistant.config import Settings
from assistant.pipeline.models import Models
from assistant.pipeline.question import clean_question, read_question
from assistant.pipeline.replies import decline_text
from assistant.pipeline.respond import Responder
from assistant.pipeline.serving import ServingIndex
from assistant.types import Answer, Draft, Query, Request, Retrieved, Turn

__all__ = ["Assistant", "build_assistant", "clean_question"]


class Assistant:
    """Answers questions from the index with citations, or abstains."""

    def __init__(
        self,
        settings: Settings | None = None,
        embedder=None,
        scorer=None,
        backend=None,
        wait_for_model: bool = True,
    ) -> None:
        self.settings = settings or Settings()
        # tests pass fakes for the models; the rest are made when first needed
        self.models = Models(self.settings, embedder, scorer, backend)
        self.index = ServingIndex(self.settings, lambda: self.embedder, lambda: self.scorer)
        # The CLI and the evals wait for the local model to load; the web UI quotes meanwhile.
        self.responder = Responder(
            self.settings,
            self.index,
            lambda: self.scorer,
            lambda: self.backend,
            self.abstention,
            wait_for_model,
        )
        self.chain: Runnable = (
            RunnableLambda(self._read, name="read")
            | RunnableLambda(self._retrieve, name="retrieve")
            | RunnableLambda(self._choose, name="choose")
            | RunnableGenerator(self._respond, name="respond")
        ).with_config(run_name="exchange_assistant")

    # -- the models (models.py) -----------------------------------------------------------

    @property
    def embedder(self):
        return self.models.embedder

    @property
    def scorer(self):
        return self.models.scorer

    @property
    def backend(self):
        """The model that reads (backends.ModelBackend), or None for EXCHANGE_LLM=none."""
        return self.models.backend

    def warm_up(self) -> None:
        """Open the index and load the models now rather than on the first question."""
        self.models.start_backend()  # it loads in its own process meanwhile
        self.index.warm_passages(self._model_busy)
        self.index.current()
        self.models.warm_up()

    def _model_busy(self) -> bool:
        """A question holds the model or waits for it."""
        backend = self.models.backend
        return backend is not None and backend.gate.waiting() > 0

    def close(self) -> None:
        """Stops the local model's server, if this assistant started one, and the warmer."""
        self.index.close()
        self.models.close()

    # -- what the serving index gives ------------------------------------------------------

    @property
    def retriever(self):
        """The hybrid retriever (a LangChain BaseRetriever) over the serving index."""
        return self.index.current().retriever

    @property
    def answerer(self):
        return self.index.current().answerer

    @property
    def answer_settings(self):
        return self.index.current().answer_settings

    @property
    def calibration(self):
        return self.index.current().calibration

    @property
    def model_answerer(self):
        return self.responder.model_answerer()

    def sources(self) -> list[dict]:
        return self.index.sources()

    def contact(self) -> str | None:
        return self.index.contact()

    def abstention(self, kind: str = "not_covered") -> str:
        return decline_text(kind, self.contact())

    # -- asking ----------------------------------------------------------------------------

    def ask(self, question: str, history: Iterable[Turn | str] | None = None) -> Answer:
        return self.chain.invoke(Request(question=question, history=list(history or [])))

    def stream(
        self, question: str, history: Iterable[Turn | str] | None = None
    ) -> Iterator[Answer]:
        """Yields the answer's states as they come (the sources, waiting, reading), then the
        final Answer (the same as `ask` gives)."""
        yield from self.chain.stream(Request(question=question, history=list(history or [])))

    def batch(self, questions: list[str]) -> list[Answer]:
        return self.chain.batch([Request(question=q) for q in questions])

    # -- the steps -------------------------------------------------------------------------

    def _read(self, request: Request) -> Query:
        speller = self.index.current().speller
        return read_question(request, self.settings.max_question_chars, speller)

    def _retrieve(self, query: Query, config: RunnableConfig | None = None) -> Retrieved:
        from assistant.pipeline.retrieve import retrieve

        return retrieve(self.retriever, query, config)

    def _choose(self, retrieved: Retrieved) -> Draft:
        from assistant.pipeline.quotes import choose

        serving = self.index.current()
        return choose(retrieved, serving.answerer, serving.answer_settings, self.scorer)

    def _respond(self, drafts: Iterator[Draft]) -> Iterator[Answer]:
        for draft in drafts:
            yield from self.responder.stream(draft)


def build_assistant(settings: Settings | None = None, **models) -> Assistant:
    """The assistant over the settings' index: what the CLI, the page and the evals use.
    `models` may hand in an embedder, a scorer or a backend (tests pass fakes)."""
    return Assistant(settings, **models)
