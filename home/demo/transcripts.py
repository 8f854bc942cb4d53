"""Plain-text sources as the demo reads them: paragraphs, and Q&A transcripts as typed turns.

Pure functions, no models: the demo loader maps the turns onto the interview
StreamField, and tests check the mapping loses nothing.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

# A label is a few words at the start of a paragraph followed by a colon.
# French typography puts a (non-breaking) space before the colon, English
# none: "Q: ...", "Q : ...", "BRUNO RACINE\u00a0: ...".
_LABEL = re.compile(r"^(?P<label>[^\W\d_]+(?:[ \u00a0.'’-]+[^\W\d_]+){0,4})[ \u00a0\u202f]*:\s*(?P<text>.*)$", re.S)

QUESTION_LABELS = ("Q", "Question")


class TranscriptError(ValueError):
    """The transcript cannot be mapped onto questions and answers without losing something."""


@dataclass(frozen=True)
class Turn:
    """One question or answer; ``paragraphs`` are its text without the label."""

    kind: str  # "question" or "answer"
    paragraphs: tuple[str, ...]
    speaker: str = ""  # the known person's name, as given in ``speakers``, for answers

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs are separated by blank lines; their own text is kept exactly (spaces, quotes, typos)."""
    blocks = re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n"))
    return [block.strip("\n") for block in blocks if block.strip()]


def parse_interview(text: str, speakers: Iterable[str], question_labels: Iterable[str] = QUESTION_LABELS) -> list[Turn]:
    """Turn "Q: ..." / "NAME: ..." paragraphs into question and answer turns.

    Speaker labels match the names in ``speakers`` whatever their case. A
    paragraph without a label continues the turn before it (a long answer over
    several paragraphs). A label that is neither a question label nor a known
    speaker raises TranscriptError: dropping or misfiling it would lose words.
    """
    known = {name.casefold(): name for name in speakers}
    questions = {label.casefold() for label in question_labels}
    turns: list[Turn] = []
    for number, paragraph in enumerate(split_paragraphs(text), start=1):
        match = _LABEL.match(paragraph)
        if match is None:
            if not turns:
                raise TranscriptError(f"Paragraph {number} has no 'Q:' or speaker label and no turn to continue.")
            last = turns[-1]
            turns[-1] = Turn(last.kind, (*last.paragraphs, paragraph), last.speaker)
            continue
        label = " ".join(match["label"].split()).casefold()
        body = match["text"]
        if not body.strip():
            raise TranscriptError(f"Paragraph {number} has the label {match['label']!r} but no text.")
        if label in questions:
            turns.append(Turn("question", (body,)))
        elif label in known:
            turns.append(Turn("answer", (body,), known[label]))
        else:
            expected = ", ".join(sorted({*question_labels, *known.values()}))
            raise TranscriptError(
                f"Paragraph {number} starts with the unknown label {match['label']!r}; expected one of: {expected}."
            )
    return turns
