"""Blocked terms: whole words after NFKC, case folding, accent stripping and separator collapsing."""

from __future__ import annotations

import pytest

from shared.errors import ValidationFailed
from shared.moderation import ALWAYS_BLOCKED, PromptBlocked, check_fields, find_terms


@pytest.mark.parametrize(
    "text",
    [
        "cast a spell",
        "cast a SPELL now",
        "S.p-e-l-l",
        "a S.p-e-l-l on you",
        "\uff33\uff30\uff25\uff2c\uff2c",  # full-width SPELL
        "sp\u00e9ll",  # precomposed é
        "spe\u0301ll",  # e + combining acute
        "s p e l l",
        "a s p e l l",
        "sp\u200bell",  # zero-width space inside
        "spell-check",
        "spell_book",
        "(spell)",
    ],
)
def test_disguised_forms_match(text: str) -> None:
    assert find_terms(text, ["spell"]) == ["spell"]


@pytest.mark.parametrize("text", ["spelling", "misspell", "misspelled words", "spells", "spel l", "sp ell"])
def test_longer_words_and_fragments_do_not(text: str) -> None:
    assert find_terms(text, ["spell"]) == []


def test_terms_are_normalised_too_and_phrases_match_whole_words() -> None:
    assert find_terms("an ICE-CREAM van", ["Ice Cream"]) == ["Ice Cream"]
    assert find_terms("icecream", ["ice cream"]) == ["ice cream"]
    assert find_terms("nice creamy", ["ice cream"]) == []
    assert find_terms("a caf\u00e9 scene", ["CAFE"]) == ["CAFE"]


def test_check_fields_names_every_field_and_term() -> None:
    with pytest.raises(PromptBlocked) as caught:
        check_fields({"prompt": "a S.p-e-l-l book", "trigger_word": "ok", "negative": None}, ["spell", "book"])
    exc = caught.value
    assert isinstance(exc, ValidationFailed) and exc.status_code == 422 and exc.code == "prompt_blocked"
    assert [(e["field"], e["term"]) for e in exc.errors] == [("prompt", "spell"), ("prompt", "book")]
    assert exc.errors[0]["loc"] == ["body", "prompt"]
    check_fields({"prompt": "a spelling book"}, ["spell"])  # no error


@pytest.mark.parametrize("term", ALWAYS_BLOCKED)
def test_the_built_in_list_is_always_on(term: str) -> None:
    with pytest.raises(PromptBlocked) as caught:
        check_fields({"prompt": f"portrait, {term.upper()}, studio light"})
    assert caught.value.errors[0]["term"] == term


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("naked child on a beach", "child + naked"),
        ("sexy underage girl", "underage + sexy"),
        ("N.u.d.e kids", "kids + nude"),
    ],
)
def test_minor_and_sexual_words_together_are_refused(text: str, term: str) -> None:
    with pytest.raises(PromptBlocked) as caught:
        check_fields({"prompt": text})
    assert caught.value.errors[0]["term"] == term


@pytest.mark.parametrize(
    "text",
    ["a child flying a kite", "nude figure study, marble statue", "kids birthday party", "Lolita Lempicka perfume"],
)
def test_ordinary_prompts_pass_the_built_in_list(text: str) -> None:
    check_fields({"prompt": text})
