"""Whether a sentence tells the reader anything the answer has not already told them.

By its words: a sentence most of whose words are already in the answer, and none of whose
numbers is new, restates it ("On Saturdays the reading room closes at 13:00" after "The reading
room closes at 13:00 on Saturdays"). Words are runs of letters and digits in any script,
compared in lower case; in a script written without spaces a run is a whole phrase, so such
sentences are seldom taken for restatements: the safe side.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"\w+", re.UNICODE)

# The most of a sentence's words that may be new for it still to restate: chosen by reading
# the support sentences it drops from the model path's dev answers (README, "Each fact once").
# Above it, sentences that add a place or a condition began to go as well.
RESTATES_NEW_SHARE = 0.3


def words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def restates(sentence: str, said: set[str], new_share: float = RESTATES_NEW_SHARE) -> bool:
    """True when `sentence` adds nothing to the words `said`: at most `new_share` of its words
    are new, and none of the new ones holds a digit (a number is a fact of its own)."""
    own = words(sentence)
    if not own:
        return True
    new = [w for w in own if w not in said]
    if any(ch.isdigit() for w in new for ch in w):
        return False
    return len(new) / len(own) <= new_share
