"""Yes/no judgements by the local model: do these sources answer the question, does this source
say what a written sentence says.

The answer is read from the logits of the next token after the prompt, as P(Yes) against
P(No), not sampled, so it is a graded score that can be calibrated. Only the last token's
logits are read (llama.cpp keeps them without `logits_all`, which would cost a vector of the
vocabulary for every token of the context)."""

from __future__ import annotations

import math
import threading

from .prompting import Prompts, Source


class Judge:
    def __init__(self, llama, prompts: Prompts, lock: threading.Lock | None = None) -> None:
        self._llama = llama
        self._prompts = prompts
        # The model has one context: the writer and the judge take turns with it.
        self.lock = lock or threading.Lock()
        self._yes = self._token("Yes")
        self._no = self._token("No")
        self._format = _chat_formatter(llama)
        self.evaluated = 0  # tokens read by the last call (the rest came from llama.cpp's cache)

    def answers(self, sources: list[Source], question: str) -> float:
        """P(the sources answer the question)."""
        return self._yes_probability(self._prompts.answers(sources, question))

    def supports(self, sources: list[Source], question: str, statement: str, n: int) -> float:
        """P(source n says what the statement says)."""
        return self._yes_probability(self._prompts.supports(sources, question, statement, n))

    # -- llama.cpp -------------------------------------------------------------------------

    def _token(self, word: str) -> int:
        return self._llama.tokenize(word.encode(), add_bos=False, special=False)[0]

    def _yes_probability(self, messages: list[dict]) -> float:
        import llama_cpp
        import numpy as np

        prompt = self._format(messages)
        tokens = self._llama.tokenize(prompt.encode(), add_bos=False, special=True)
        llama = self._llama
        with self.lock:
            # Keep the tokens this prompt shares with the last one (the system prompt, and the
            # sources of the same question) and evaluate only the rest, as generation does.
            cached = llama.input_ids[: llama.n_tokens]
            prefix = 0
            for a, b in zip(cached, tokens[:-1], strict=False):
                if a != b:
                    break
                prefix += 1
            llama.n_tokens = prefix
            llama.eval(tokens[prefix:])
            self.evaluated = len(tokens) - prefix
            logits = np.ctypeslib.as_array(
                llama_cpp.llama_get_logits_ith(llama.ctx, -1), shape=(llama.n_vocab(),)
            )
            yes, no = float(logits[self._yes]), float(logits[self._no])
        return 1.0 / (1.0 + math.exp(max(-50.0, min(50.0, no - yes))))


def _chat_formatter(llama):
    """Renders messages the way llama-cpp-python's chat completion does for this model (the
    GGUF's own chat template), so that the judge's prompts share tokens with the writer's."""
    from llama_cpp import llama_chat_format

    template = llama.metadata.get("tokenizer.chat_template")
    if not template:
        return _chatml
    eos, bos = llama.token_eos(), llama.token_bos()
    formatter = llama_chat_format.Jinja2ChatFormatter(
        template=template,
        eos_token=llama._model.token_get_text(eos) if eos != -1 else "",
        bos_token=llama._model.token_get_text(bos) if bos != -1 else "",
    )
    return lambda messages: formatter(messages=messages).prompt


def _chatml(messages: list[dict]) -> str:
    body = "".join(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in messages)
    return body + "<|im_start|>assistant\n"
