"""Understanding a question once: the one step that turns a question (and the turns before
it) into the structured query that retrieval and the writers read.

`read_question` gives a `Query`: the retrieval query (an elliptic follow-up borrows the
previous question) and the `Asked` (`tasks/features.py`) — the question's language, its
analysed terms with their rarity in the corpus, the numbers and names it gives, the kind of
figure it asks for and the breakdown values it narrows it to (`facets.py`, learnt from the
corpus), the documents it names by their file names, the term a definition asks about,
and the scenarios and parts it points at (`intent.py`, from the store's own scenario
titles and numbers). Retrieval takes the query's intent, the writer its `Asked`: neither
parses the question again.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .retrieval import Retriever
    from .tasks.features import Asked
    from .tasks.reading import QuestionReader

Turn = tuple[str, str]  # (question, answer) of an earlier turn
_FOLLOW_UP = re.compile(
    r"^\s*(et|mais|aussi|quid|pareil|idem|and|but|also|what about|how about|same)\b",
    re.IGNORECASE,
)
ELLIPTIC_WORDS = 6  # a follow-up this short or shorter borrows the previous question


def contextual_query(question: str, history: Sequence[Turn]) -> str:
    """The retrieval query for a turn: an elliptic follow-up borrows the previous question."""
    if not history:
        return question
    words = re.findall(r"\w+", question)
    if len(words) <= ELLIPTIC_WORDS or _FOLLOW_UP.match(question):
        return f"{history[-1][0]} {question}"
    return question


@dataclass(frozen=True)
class Query:
    """A question understood once: the text retrieval searches and what it asks."""

    text: str  # the retrieval query
    asked: Asked

    @property
    def compares(self) -> bool:
        """Whether it names several scenarios (a comparison)."""
        return len(self.asked.intent.scenario_ids) > 1

    @property
    def defines(self) -> bool:
        """Whether it asks what a term means."""
        return bool(self.asked.defined)


def read_question(
    retriever: Retriever, reader: QuestionReader, question: str, history: Sequence[Turn] = ()
) -> Query:
    """The question as retrieval and the writers read it (see the module docstring)."""
    text = contextual_query(question, history)
    intent = retriever.intent(question, [q for q, _ in history])
    return Query(text, replace(reader.understand(question, text), intent=intent))
