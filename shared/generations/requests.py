"""A generation request checked against its model before anything is queued: the mode and its parameters,
the LoRAs (same base model, ≤ 3, every trigger word in the prompt), the init image and mask.

The outcome (:class:`Plan`) holds what the job row stores: the echoed ``params``, the prompt as sent, the
endpoint, and the provider arguments minus the signed URLs the worker adds at submit time (LoRA weights,
init image, mask — snapshotted as storage keys, so renaming or deleting a model later changes nothing).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from shared.catalog.modes import Mode, modes_of
from shared.errors import ValidationFailed
from shared.generations.schemas import MAX_LORAS, PARAM_FIELDS, GenerationCreate, GenerationParams, LoraRef
from shared.models import Model
from shared.scope import OwnerScope
from shared.uploads.references import ImageRef, resolve_image

DEFAULT_LORA_SCALE = 1.0


def invalid(field: str | list[str | int], code: str, detail: str) -> ValidationFailed:
    loc = ["body", *([field] if isinstance(field, str) else field)]
    return ValidationFailed(detail, code=code, errors=[{"loc": loc, "code": code, "detail": detail}])


def with_trigger_word(prompt: str, trigger_word: str | None) -> str:
    """Put ``trigger_word`` in front of ``prompt`` unless the prompt already has it as a whole word
    (case-insensitive)."""
    if not trigger_word or not trigger_word.strip():
        return prompt
    word = trigger_word.strip()
    if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", prompt, re.IGNORECASE):
        return prompt
    return f"{word} {prompt}"


@dataclass
class Plan:
    base: Model
    mode: Mode
    prompt: str
    params: GenerationParams
    arguments: dict[str, Any]  # provider input without prompt and signed URLs
    lora_keys: list[dict[str, Any]]  # [{key, scale}] in order
    image_key: str | None
    mask_key: str | None


async def _base_and_loras(scope: OwnerScope, body: GenerationCreate) -> tuple[Model, list[tuple[Model, float]]]:
    model = await scope.get(Model, body.model_id, "model")
    if model.category != "image" or not model.generation_endpoint:
        raise invalid("model_id", "model_not_image", f"Model {model.id!r} is not an image model.")
    chosen: list[tuple[Model, float]] = []
    if model.type == "lora":
        scale = DEFAULT_LORA_SCALE if body.lora_scale is None else body.lora_scale
        chosen.append((model, scale))
    base_id = model.base_model_id if model.type == "lora" else model.id
    for i, ref in enumerate(body.loras):
        lora = await scope.get(Model, ref.model_id, "model")
        if lora.type != "lora":
            raise invalid(["loras", i, "model_id"], "not_a_lora", f"Model {lora.id!r} is not a LoRA.")
        if lora.base_model_id != base_id:
            raise invalid(
                ["loras", i, "model_id"],
                "lora_base_mismatch",
                f"LoRA {lora.id!r} was trained on {lora.base_model_id!r}, not {base_id!r}.",
            )
        if any(m.id == lora.id for m, _ in chosen):
            raise invalid(["loras", i, "model_id"], "duplicate_lora", f"LoRA {lora.id!r} is given twice.")
        chosen.append((lora, ref.scale))
    if len(chosen) > MAX_LORAS:
        raise invalid("loras", "too_many_loras", f"At most {MAX_LORAS} LoRAs in all (counting `model_id`).")
    for lora, _ in chosen:
        if not lora.weights_key:
            raise invalid("model_id", "model_weights_missing", f"Model {lora.id!r} has no stored weights.")
    base = model if model.type != "lora" else await scope.get(Model, base_id or "", "model")
    return base, chosen


def _mode(base: Model, body: GenerationCreate) -> Mode:
    modes = modes_of(base.id)
    mode = modes.get(body.mode)
    if mode is None:
        raise invalid(
            "mode",
            "mode_not_supported",
            f"{base.name} has no mode {body.mode!r}; it has: {', '.join(sorted(modes)) or 'none'}.",
        )
    return mode


def _params(mode: Mode, base: Model, body: GenerationCreate) -> Any:
    sent = {f: getattr(body, f) for f in PARAM_FIELDS if f in body.model_fields_set and getattr(body, f) is not None}
    for name in sent:
        if name not in mode.params.model_fields:
            raise invalid(
                name, "param_not_supported", f"{base.name} ({mode.name}) does not take `{name}`; see its params_schema."
            )
    try:
        return mode.params.model_validate(sent)
    except ValidationError as exc:
        errors = [
            {"loc": ["body", *[str(p) for p in e["loc"]]], "code": e["type"], "detail": e["msg"]} for e in exc.errors()
        ]
        raise ValidationFailed(f"{errors[0]['loc'][-1]}: {errors[0]['detail']}", errors=errors) from None


async def _images(scope: OwnerScope, mode: Mode, body: GenerationCreate) -> tuple[str | None, str | None]:
    for name, wanted in (("image", mode.image), ("mask", mode.mask)):
        ref: ImageRef | None = getattr(body, name)
        if wanted and ref is None:
            raise invalid(name, "missing", f"Mode {mode.name!r} needs `{name}`.")
        if not wanted and ref is not None:
            raise invalid(name, "param_not_supported", f"Mode {mode.name!r} takes no `{name}`.")
    if body.image is None:
        return None, None
    image = await resolve_image(scope, body.image)
    if body.mask is None:
        return image.key, None
    mask = await resolve_image(scope, body.mask)
    if (mask.width, mask.height) != (image.width, image.height):
        raise invalid(
            "mask",
            "mask_size_mismatch",
            f"The mask is {mask.width}x{mask.height}; it must be the init image's size, {image.width}x{image.height}.",
        )
    return image.key, mask.key


async def plan_generation(scope: OwnerScope, body: GenerationCreate) -> Plan:
    """Check ``body`` against its model (422 with a stable code naming the field; 404 for unknown or other
    owners' models and images) and return what the job stores."""
    base, loras = await _base_and_loras(scope, body)
    mode = _mode(base, body)
    params = _params(mode, base, body)
    image_key, mask_key = await _images(scope, mode, body)
    prompt = body.prompt
    for lora, _ in reversed(loras):  # reversed: the first LoRA's word ends up first
        prompt = with_trigger_word(prompt, lora.trigger_word)
    primary_scale = loras[0][1] if loras and loras[0][0].id == body.model_id else None
    echoed = GenerationParams.model_validate(
        {
            **params.model_dump(mode="json"),
            "mode": mode.name,
            "loras": [LoraRef(model_id=m.id, scale=s) for m, s in loras],
            "image": body.image,
            "mask": body.mask,
            "lora_scale": primary_scale,
        }
    )
    return Plan(
        base=base,
        mode=mode,
        prompt=prompt,
        params=echoed,
        arguments=mode.arguments(params),
        lora_keys=[{"key": m.weights_key, "scale": s} for m, s in loras],
        image_key=image_key,
        mask_key=mask_key,
    )
