"""How hard a Swedish text is to read: LIX (läsbarhetsindex, C.-H. Björnsson 1968).

    LIX = words per sentence + 100 × (words longer than six letters) / words

The text is the Markdown staff write. It is parsed with markdown-it, the parser that
renders it (services/guidance.py), so only what a reader sees is counted: no ``#``,
``**``, ``-`` or link addresses; a link counts by its text.

How the text is counted (the same for every version, so figures can be compared):

- **Words** are runs of letters and digits; å, ä, ö and other letters count as letters.
  Hyphens, apostrophes, slashes and the points and commas inside numbers join the parts
  they stand between into one word ("e-post", "135/85", "7.30", "t.ex."), and only its
  letters and digits count towards its length. A number is a word like any other:
  "2" is short, "2026-10-01" is long.
- **Sentences** end at ``.``, ``!``, ``?``, ``:`` or ``…`` before a space or the end of
  the text (Björnsson counts the colon too). Each heading, list item and paragraph is
  read as a unit of its own, so it ends a sentence even without a full stop; a line
  break inside a paragraph does not. The point after a few abbreviations ("t.ex.",
  "kl.", "bl.a.") ends nothing.

Bands for the figure, as usually given for LIX: under 30 easy (children's books, easy
to read texts), 30–39 medium (newspapers, fiction), 40 and over hard (official texts).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from markdown_it import MarkdownIt

from naranara.i18n import N_

# CommonMark only, HTML off: the same reading of the source as the renderer's.
_markdown = MarkdownIt("commonmark", {"html": False})

LONG_WORD = 6  # a word is long when it has more letters (and digits) than this

_WORD = re.compile(r"[^\W_]+(?:[-'’/.,:][^\W_]+)*")
# A sentence ends at its mark before a space or the end (closing quotes and brackets may
# follow the mark).
_SENTENCE_END = re.compile(r"[.!?:…]+[\"”’)\]]*(?=\s|$)")
# Their point is part of the word, not the end of a sentence.
_ABBREVIATIONS = frozenset(
    {"t.ex", "bl.a", "kl", "ca", "dvs", "d.v.s", "s.k", "p.g.a", "e.g", "i.e"}
)

EASY_BELOW = 30
HARD_FROM = 40
BAND_LABELS: dict[str, str] = {
    "easy": N_("easy"),
    "medium": N_("medium"),
    "hard": N_("hard"),
}


@dataclass(frozen=True)
class Readability:
    words: int
    sentences: int
    long_words: int

    @property
    def lix(self) -> float:
        if not self.words:
            return 0.0
        return self.words / max(self.sentences, 1) + 100 * self.long_words / self.words

    @property
    def figure(self) -> int:
        """LIX as shown: a whole number, halves rounded up (24.5 is 25)."""
        return math.floor(self.lix + 0.5)

    @property
    def band(self) -> str:
        """ "easy", "medium" or "hard" by the figure as shown; "" for no text."""
        if not self.words:
            return ""
        shown = self.figure
        if shown < EASY_BELOW:
            return "easy"
        return "medium" if shown < HARD_FROM else "hard"


def _letters(word: str) -> int:
    return sum(character.isalnum() for character in word)


def _blocks(markdown: str) -> list[str]:
    """The text a reader sees, one string per heading, paragraph or list item paragraph."""
    blocks: list[str] = []
    for token in _markdown.parse(markdown):
        if token.type != "inline" or not token.children:
            continue
        parts: list[str] = []
        for child in token.children:
            if child.type in ("text", "code_inline"):
                parts.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                parts.append(" ")
            elif child.type == "image":
                parts.append(" ")  # its description is not running text
        text = "".join(parts).strip()
        if text:
            blocks.append(text)
    return blocks


def _sentences_in(block: str) -> int:
    """Sentences in one block: its ends, and the block's own end if text follows the last."""
    count, start = 0, 0
    for end in _SENTENCE_END.finditer(block):
        words_before = _WORD.findall(block[start : end.start()])
        if not words_before:
            continue
        if end.group().startswith(".") and words_before[-1].casefold() in _ABBREVIATIONS:
            continue
        count += 1
        start = end.end()
    if _WORD.search(block[start:]):
        count += 1
    return count


def measure(markdown: str) -> Readability:
    """Words, sentences and long words of a Markdown text; ``.lix`` is the figure."""
    words = sentences = long_words = 0
    for block in _blocks(markdown):
        found = _WORD.findall(block)
        words += len(found)
        long_words += sum(_letters(word) > LONG_WORD for word in found)
        sentences += _sentences_in(block)
    return Readability(words=words, sentences=sentences, long_words=long_words)


def measure_article(*, summary: str = "", warning: str = "", body: str = "") -> Readability:
    """An article's running text: its summary, the warning box and the body. The title is
    a label, not prose, and is left out."""
    return measure("\n\n".join(part for part in (summary, warning, body) if part.strip()))
