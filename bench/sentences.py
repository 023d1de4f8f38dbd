"""Sentence splitters measured on hand-written boundaries (bench/sentences-gold.yaml): the one in
assistant/text/sentences.py against pysbd, blingfire and syntok, per language.

    python -m bench.sentences      # needs: pip install pysbd blingfire syntok

A paragraph counts as right when the splitter returns exactly its sentences (spaces at the
edges aside); boundary recall and precision count the places where one sentence ends.
"""

from __future__ import annotations

import time
from pathlib import Path

import yaml

HERE = Path(__file__).parent


def _ours(text: str, language: str) -> list[str]:
    from assistant.text.sentences import split_sentences

    return list(split_sentences.__wrapped__(text))


def _pysbd(text: str, language: str) -> list[str]:
    import pysbd

    return pysbd.Segmenter(language=language, clean=False).segment(text)


def _blingfire(text: str, language: str) -> list[str]:
    import blingfire

    return blingfire.text_to_sentences(text).split("\n")


def _syntok(text: str, language: str) -> list[str]:
    from syntok import segmenter

    return [
        "".join(t.spacing + t.value for t in sentence).strip()
        for paragraph in segmenter.analyze(text)
        for sentence in paragraph
    ]


SPLITTERS = {"ours": _ours, "pysbd": _pysbd, "blingfire": _blingfire, "syntok": _syntok}


def _ends(sentences: list[str], joiner: str) -> set[int]:
    out, pos = set(), 0
    for s in sentences[:-1]:
        pos += len(s.strip()) + len(joiner)
        out.add(pos)
    return out


def measure() -> dict:
    gold = yaml.safe_load((HERE / "sentences-gold.yaml").read_text(encoding="utf-8"))
    results: dict = {}
    for name, split in SPLITTERS.items():
        per_language = {}
        split("Warm up. Then time it.", "en")  # imports and model loads are not per paragraph
        started = time.perf_counter()
        for language, items in gold.items():
            joiner = "" if language == "ja" else " "
            exact = found = right = expected = 0
            for sentences in items:
                text = joiner.join(sentences)
                got = [s.strip() for s in split(text, language) if s.strip()]
                exact += got == [s.strip() for s in sentences]
                want, have = _ends(sentences, joiner), _ends(got, joiner)
                right += len(want & have)
                found += len(have)
                expected += len(want)
            per_language[language] = {
                "paragraphs": len(items),
                "exact": round(exact / len(items), 3),
                "boundary_recall": round(right / expected, 3) if expected else None,
                "boundary_precision": round(right / found, 3) if found else None,
            }
        results[name] = {
            "languages": per_language,
            "ms_per_paragraph": round(
                (time.perf_counter() - started) * 1000 / sum(len(v) for v in gold.values()), 3
            ),
        }
    return results


def main() -> int:
    import json

    results = measure()
    (HERE / "sentences.json").write_text(json.dumps(results, indent=1) + "\n")
    languages = list(next(iter(results.values()))["languages"])
    print("| splitter | " + " | ".join(f"{lang} exact" for lang in languages) + " | ms/paragraph |")
    print("|---|" + "---:|" * (len(languages) + 1))
    for name, r in results.items():
        cells = [str(r["languages"][lang]["exact"]) for lang in languages]
        print(f"| {name} | " + " | ".join(cells) + f" | {r['ms_per_paragraph']} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
