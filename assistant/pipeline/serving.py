"""The serving index, opened: the generation an ingest last switched to, with the calibration.

Everything that depends on them (the hybrid retriever, the quote path's ranker and abstention,
the spelling fixer's vocabulary, the fitted values) is opened once, and again when an ingest
switches to a new generation or the calibration file is rewritten. Questions in flight keep the
one they started with.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from assistant.config import AnswerSettings, Settings
from assistant.index import generations


@dataclass(frozen=True)
class Serving:
    """One opened generation with the calibration it is answered with."""

    stamp: tuple
    retriever: object  # pipeline.retrieve.HybridRetriever (a LangChain BaseRetriever)
    answerer: object  # pipeline.quotes.ExtractiveAnswerer
    answer_settings: AnswerSettings
    speller: object  # text.spelling.SpellFixer
    calibration: object  # pipeline.calibration.Calibration


class ServingIndex:
    def __init__(self, settings: Settings, embedder: Callable[[], object], scorer) -> None:
        self.settings = settings
        self._embedder = embedder  # called when first needed: the model loads slowly
        self._scorer = scorer
        self._lock = threading.Lock()
        self._serving: Serving | None = None
        self._contact: tuple[Path, str | None] | None = None
        self._busy: Callable[[], bool] | None = None  # set by warm_passages
        self.warmer = None  # warming.PassageWarmer of the open generation, when warming

    def warm_passages(self, busy: Callable[[], bool]) -> None:
        """From now on, each generation opened has its candidate passages encoded in the
        background (warming.py), pausing while `busy()`: for assistants that live long enough
        to ask many questions, not for a one-off `ask`."""
        self._busy = busy

    def _stamp(self) -> tuple:
        from assistant.pipeline.calibration import Calibration

        gen = generations.require_current(Path(self.settings.index_dir))
        return (gen, Calibration.stamp(self.settings.answer.calibration))

    def current(self) -> Serving:
        stamp = self._stamp()
        serving = self._serving
        if serving is not None and serving.stamp == stamp:
            return serving
        with self._lock:
            if self._serving is None or self._serving.stamp != stamp:
                self._serving = self._open(stamp)
                self._start_warmer(self._serving)
            return self._serving

    def _start_warmer(self, serving: Serving) -> None:
        from assistant.pipeline.passages import window_texts
        from assistant.pipeline.warming import PassageWarmer

        if self.warmer is not None:
            self.warmer.stop()
            self.warmer = None
        limit = self.settings.retrieval.warm_passages
        if self._busy is None or limit == 0:
            return
        a = serving.answer_settings
        store = serving.retriever.store
        self.warmer = PassageWarmer(
            self._scorer(),
            lambda: window_texts(store.all_chunks(), a.window_sentences, a.max_passage_words),
            self._busy,
            limit,
        ).start()

    def _open(self, stamp: tuple) -> Serving:
        from assistant.index.e5 import FOLDER, E5Index
        from assistant.index.embeddings import model_path
        from assistant.index.lexical import Bm25Index
        from assistant.index.store import Store
        from assistant.index.word_vectors import WordVectors
        from assistant.pipeline.calibration import Calibration, resolve
        from assistant.pipeline.quotes import ExtractiveAnswerer
        from assistant.pipeline.retrieve import HybridRetriever
        from assistant.text.spelling import SpellFixer

        gen = stamp[0]
        s, r = self.settings, self.settings.retrieval
        # The store is opened first: it checks the generation against its manifest (the files'
        # checksums), so a damaged index is one clear error before anything else reads it.
        store = Store(s, gen / "chroma")
        embedder, scorer = self._embedder(), self._scorer()
        bm25 = Bm25Index.load(gen / "bm25")
        retriever = HybridRetriever(
            store=store,
            bm25=bm25,
            embedder=embedder,
            dense_k=r.dense_k,
            bm25_k=r.bm25_k,
            top_k=r.top_k,
            rrf_k=r.rrf_k,
            dense_weight=r.dense_weight,
            bm25_weight=r.bm25_weight,
            e5=E5Index.load(gen / FOLDER),
            scorer=scorer,
            e5_k=r.e5_k,
            e5_weight=r.e5_weight,
            other_language_weight=r.other_language_weight,
        )
        calibration = Calibration.load(s.answer.calibration)
        answer_settings, abstention, ranker, cross_language = resolve(s, calibration)
        answerer = ExtractiveAnswerer(
            scorer,
            bm25,
            answer_settings,
            abstention,
            ranker,
            WordVectors(embedder),
            cross_language,
        )
        speller = SpellFixer.load(gen / "vocabulary.json", model_path(s))
        return Serving(stamp, retriever, answerer, answer_settings, speller, calibration)

    def close(self) -> None:
        if self.warmer is not None:
            self.warmer.stop()

    def sources(self) -> list[dict]:
        """The documents in the index: source, title, updated date, url and chunk count."""
        manifest = generations.read_manifest(self._stamp()[0])
        return [
            {
                "source": name,
                "title": f.title,
                "updated": f.updated,
                "url": f.url,
                "chunks": len(f.chunk_ids),
            }
            for name, f in sorted(manifest.files.items(), key=lambda kv: kv[1].title)
        ]

    def contact(self) -> str | None:
        """Whom to ask when the documents do not answer: EXCHANGE_CONTACT, else the `contact`
        a document of the corpus names in its front matter; None when neither does."""
        if self.settings.contact:
            return self.settings.contact
        gen = generations.require_current(Path(self.settings.index_dir))
        if self._contact is None or self._contact[0] != gen:
            manifest = generations.read_manifest(gen)
            named = [f.contact for _, f in sorted(manifest.files.items()) if f.contact]
            self._contact = (gen, named[0] if named else None)
        return self._contact[1]
