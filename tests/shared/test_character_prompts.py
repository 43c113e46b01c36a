"""The character prompt builder: documented order, and nothing silently cut from the scene."""

from __future__ import annotations

import pytest

from shared.characters.prompts import build_prompt
from shared.errors import ValidationFailed

PROFILE = {"description": "a young elf mage", "art_style": "digital painting", "modifiers": ["moody", "detailed"]}


def test_order_is_trigger_description_scene_style_modifiers() -> None:
    built = build_prompt(trigger_word="MIRA1", scene="in a dungeon", **PROFILE)  # type: ignore[arg-type]
    assert built.prompt == "MIRA1, a young elf mage, in a dungeon, digital painting, moody, detailed"
    assert built.dropped == []
    assert build_prompt(trigger_word=None, scene="x", **PROFILE).prompt.startswith("a young elf mage, x")  # type: ignore[arg-type]


def test_over_the_limit_modifiers_then_style_then_description_go_never_the_scene() -> None:
    scene = "s" * 40
    args = {"trigger_word": "T", "scene": scene, **PROFILE}
    built = build_prompt(**args, limit=len("T, a young elf mage, " + scene + ", digital painting, moody"))  # type: ignore[arg-type]
    assert built.prompt.endswith("digital painting, moody") and built.dropped == ["style_modifiers[1]"]
    built = build_prompt(**args, limit=len("T, a young, " + scene))  # type: ignore[arg-type]
    assert built.prompt == "T, a young, " + scene
    assert built.dropped == ["style_modifiers[1]", "style_modifiers[0]", "art_style", "description"]
    with pytest.raises(ValidationFailed) as err:
        build_prompt(**args, limit=len(scene))  # type: ignore[arg-type]
    assert err.value.code == "scene_too_long"
