"""Blocked terms in prompts: matched as whole words after normalising away the usual disguises.

Text and terms are normalised alike: Unicode NFKC (full-width letters → ASCII), case folding,
accent stripping (NFD, combining marks dropped: ``spéll`` → ``spell``). A term then matches when its words
appear as consecutive whole words of the text in any of three readings:

- words: runs of letters and digits (``spell-check`` has the word ``spell``);
- separators collapsed: within a whitespace-delimited chunk, punctuation, symbols and invisible characters
  are dropped (``S.p-e-l-l``, ``sp\u200bell`` → ``spell``);
- spelled out: a run of single-character words is read as one string (``s p e l l`` → ``spell``).

So ``spelling`` and ``misspell`` never match ``spell``. A multi-word term also matches its words written
together (``ice cream`` matches ``icecream``).

Always on, whatever the owner's policy: a short list refusing sexual content involving minors
(:data:`ALWAYS_BLOCKED`, and :data:`MINOR_WORDS` together with :data:`SEXUAL_WORDS` in one field). It is
deliberately small — a floor, not a classifier; the provider's safety checker and the owner's own terms
do the rest.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from shared.errors import ValidationFailed

_WORD = re.compile(r"[^\W_]+")

ALWAYS_BLOCKED = (
    "child porn",
    "child pornography",
    "child sexual abuse",
    "kiddie porn",
    "csam",
    "pthc",
    "jailbait",
    "loli",
    "lolicon",
    "shotacon",
)
"""Terms refused in every prompt of every owner."""

MINOR_WORDS = frozenset(
    {"child", "children", "kid", "kids", "minor", "minors", "underage", "preteen", "preteens", "toddler",
     "toddlers", "schoolgirl", "schoolgirls", "schoolboy", "schoolboys"}
)  # fmt: skip
SEXUAL_WORDS = frozenset(
    {"nude", "nudes", "naked", "nudity", "topless", "sex", "sexual", "sexy", "porn", "porno", "pornographic",
     "nsfw", "erotic", "lingerie", "genitals"}
)  # fmt: skip
"""A field with a word of each set is refused (reported as ``"<minor word> + <sexual word>"``)."""


class PromptBlocked(ValidationFailed):
    default_code = "prompt_blocked"
    default_title = "Prompt blocked"


def normalize(text: str) -> str:
    """NFKC, case folding, accents stripped."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(c for c in unicodedata.normalize("NFD", folded) if not unicodedata.combining(c))


def term_tokens(term: str) -> tuple[str, ...]:
    """A term as the words it matches (empty: nothing to match)."""
    return tuple(_WORD.findall(normalize(term)))


@dataclass(frozen=True)
class _Readings:
    words: list[str]
    collapsed: list[str]
    spelled: list[str]  # each run of single-character words, concatenated

    @classmethod
    def of(cls, text: str) -> _Readings:
        norm = normalize(text)
        words = _WORD.findall(norm)
        collapsed = [w for chunk in norm.split() if (w := "".join(_WORD.findall(chunk)))]
        spelled, run = [], ""
        for word in [*words, "  "]:
            if len(word) == 1:
                run += word
                continue
            if len(run) >= 2:
                spelled.append(run)
            run = ""
        return cls(words, collapsed, spelled)


def _ngrams(words: list[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


@lru_cache(maxsize=256)
def _compiled(terms: tuple[str, ...]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple((term, tokens) for term in terms if (tokens := term_tokens(term)))


def find_terms(text: str, terms: Iterable[str]) -> list[str]:
    """The terms (as given) that ``text`` contains, in the order given."""
    compiled = _compiled(tuple(terms))
    if not compiled:
        return []
    readings = _Readings.of(text)
    grams: dict[int, set[tuple[str, ...]]] = {}
    for n in {len(tokens) for _, tokens in compiled} | {1}:
        grams[n] = _ngrams(readings.words, n) | _ngrams(readings.collapsed, n)
    found = []
    for term, tokens in compiled:
        joined = "".join(tokens)
        if tokens in grams[len(tokens)] or (joined,) in grams[1] or any(joined in run for run in readings.spelled):
            found.append(term)
    return found


def _always_blocked(text: str) -> list[str]:
    hits = find_terms(text, ALWAYS_BLOCKED)
    readings = _Readings.of(text)
    words = set(readings.words) | set(readings.collapsed) | set(readings.spelled)
    minor, sexual = sorted(words & MINOR_WORDS), sorted(words & SEXUAL_WORDS)
    if minor and sexual:
        hits.append(f"{minor[0]} + {sexual[0]}")
    return hits


def check_fields(fields: Mapping[str, str | None], blocked_terms: Iterable[str] = ()) -> None:
    """Raise 422 ``prompt_blocked`` naming every field and term found (built-in list first)."""
    terms = tuple(blocked_terms)
    errors = []
    for field, text in fields.items():
        if not text:
            continue
        for term in [*_always_blocked(text), *find_terms(text, terms)]:
            errors.append(
                {
                    "loc": ["body", *field.split(".")],
                    "field": field,
                    "term": term,
                    "code": "prompt_blocked",
                    "detail": f"{field} contains the blocked term {term!r}.",
                }
            )
    if errors:
        first = errors[0]
        raise PromptBlocked(f"{first['field']} contains a blocked term ({first['term']!r}).", errors=errors)
