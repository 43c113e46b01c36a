"""Prompts built from a character's profile.

**Order** (the contract): trigger word, description, scene, art style, style modifiers — joined with
``", "``. The trigger word is there only when the character's LoRA is used (it means nothing to the
base model).

**Length**: the prompt must fit the generation prompt limit (:data:`MAX_PROMPT_CHARS`). When it does not,
the least important parts go first, whole: the style modifiers (last one first), then the art style, then
the description is shortened at a word boundary. The scene is never cut: when the trigger word and the
scene alone do not fit, the request is refused (422 ``scene_too_long``). What was left out is reported in
:attr:`BuiltPrompt.dropped` (the generation's ``params.prompt_dropped``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shared.errors import ValidationFailed

#: The generation prompt limit (``GenerationCreate.prompt``); FLUX's own encoder takes this comfortably.
MAX_PROMPT_CHARS = 2000
SEPARATOR = ", "

#: What a reference portrait asks for (in the scene's place): the character alone, clearly visible.
REFERENCE_SCENE = "character reference portrait, front view, full body, plain neutral background"

#: Image-to-image variations of the reference, in order, for the training dataset: other poses and
#: framings of the same character (variation ``i`` uses entry ``i % len``; the seed makes repeats differ).
VARIATION_PROMPTS: tuple[str, ...] = (
    "close-up portrait, head and shoulders, looking at the camera",
    "three-quarter view, upper body, turned slightly to the left",
    "full body, standing, side profile facing right",
    "full body, walking towards the camera",
    "medium shot, sitting, relaxed pose",
    "full body, back three-quarter view, looking over the shoulder",
    "close-up, smiling, soft light",
    "medium shot, arms crossed, confident pose",
    "full body, dynamic action pose",
    "upper body, looking up, low camera angle",
)
#: How much an image-to-image variation departs from the reference (0 = a copy, 1 = ignore it).
VARIATION_STRENGTH = 0.7


@dataclass(frozen=True)
class BuiltPrompt:
    prompt: str
    dropped: list[str] = field(default_factory=list)  # "style_modifiers[2]", "art_style", "description"


def scene_too_long(detail: str) -> ValidationFailed:
    return ValidationFailed(
        detail, code="scene_too_long", errors=[{"loc": ["body", "scene"], "code": "scene_too_long", "detail": detail}]
    )


def build_prompt(
    *,
    trigger_word: str | None,
    description: str,
    scene: str,
    art_style: str | None,
    modifiers: list[str],
    limit: int = MAX_PROMPT_CHARS,
) -> BuiltPrompt:
    """The prompt in the documented order, within ``limit`` characters (see the module doc)."""
    head = [p.strip() for p in (trigger_word or "",) if p.strip()]
    scene = scene.strip()
    core = SEPARATOR.join([*head, scene])
    if len(core) > limit:
        raise scene_too_long(
            f"The scene is {len(scene)} characters; with the trigger word it must fit {limit} characters."
        )
    mods = [m.strip() for m in modifiers if m.strip()]
    style = (art_style or "").strip()
    desc = description.strip()
    dropped: list[str] = []

    def joined() -> str:
        return SEPARATOR.join(p for p in [*head, desc, scene, style, *mods] if p)

    while len(joined()) > limit and mods:
        mods.pop()
        dropped.append(f"style_modifiers[{len(mods)}]")
    if len(joined()) > limit and style:
        style = ""
        dropped.append("art_style")
    if len(joined()) > limit:
        room = limit - len(core) - len(SEPARATOR)
        desc = _cut_at_word(desc, room)
        dropped.append("description")
    return BuiltPrompt(joined(), dropped)


def _cut_at_word(text: str, room: int) -> str:
    """``text`` shortened to at most ``room`` characters, ending at a word boundary."""
    if room <= 0:
        return ""
    if len(text) <= room:
        return text
    head = text[:room]
    if text[room] != " ":
        head = head.rsplit(" ", 1)[0] if " " in head else ""
    return head.rstrip(" ,.;")
