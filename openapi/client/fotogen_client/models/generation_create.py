from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.generation_create_image_size_type_0 import GenerationCreateImageSizeType0
from ..models.generation_create_mode import GenerationCreateMode
from ..models.generation_create_output_format_type_0 import GenerationCreateOutputFormatType0
from ..models.generation_create_scheduler_type_0 import GenerationCreateSchedulerType0
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.generation_create_metadata import GenerationCreateMetadata
    from ..models.image_ref import ImageRef
    from ..models.image_size import ImageSize
    from ..models.lora_ref import LoraRef


T = TypeVar("T", bound="GenerationCreate")


@_attrs_define
class GenerationCreate:
    """Parameters are top-level fields; which ones a model takes, their ranges and defaults depend on the
    model and `mode` (`GET /v1/models/{id}` → `modes[].params_schema`). A parameter the mode does not take
    is refused (422 `param_not_supported`).

        Attributes:
            model_id (str): An image model: a base model or one of your trained LoRAs.
            prompt (str): Every LoRA's trigger word is put in front of the prompt when the prompt lacks it.
            metadata (GenerationCreateMetadata | Unset): Your own key/value pairs (strings; at most 20 keys, a key at most
                40 characters, a value at most 500). Returned as given; lists filter with `?metadata[key]=value`.
            end_user (None | str | Unset): Your app's id for the person who asked (at most 128 characters); lists filter
                with `?end_user=`.
            mode (GenerationCreateMode | Unset): `image_to_image` needs `image`; `inpainting` needs `image` and `mask` (same
                size, white = repaint). Which modes a model has: `GET /v1/models/{id}` → `modes`. Default:
                GenerationCreateMode.TEXT_TO_IMAGE.
            loras (list[LoraRef] | Unset): Up to 3 LoRAs in all (counting `model_id` when it is a LoRA), all of one base
                model; `model_id` may then be that base model.
            image (ImageRef | None | Unset): The init image (image_to_image, inpainting).
            mask (ImageRef | None | Unset): The mask (inpainting): white = repaint.
            lora_scale (float | None | Unset): Strength of `model_id` when it is a LoRA (default 1).
            image_size (GenerationCreateImageSizeType0 | ImageSize | None | Unset): A preset name or `{width, height}`
                (256..2048, multiples of 8).
            num_images (int | None | Unset):
            seed (int | None | Unset): Same seed + prompt + params → same images. Random if unset.
            guidance_scale (float | None | Unset): How closely to follow the prompt.
            num_inference_steps (int | None | Unset):
            output_format (GenerationCreateOutputFormatType0 | None | Unset):
            enable_safety_checker (bool | None | Unset): Let the provider blank out images it flags (`nsfw: true` either
                way).
            strength (float | None | Unset): image_to_image and inpainting: how much to change the init image.
            negative_prompt (None | str | Unset): SDXL and SD 1.5 only.
            scheduler (GenerationCreateSchedulerType0 | None | Unset): SDXL and SD 1.5 only.
            clip_skip (int | None | Unset): SDXL and SD 1.5 only.
    """

    model_id: str
    prompt: str
    metadata: GenerationCreateMetadata | Unset = UNSET
    end_user: None | str | Unset = UNSET
    mode: GenerationCreateMode | Unset = GenerationCreateMode.TEXT_TO_IMAGE
    loras: list[LoraRef] | Unset = UNSET
    image: ImageRef | None | Unset = UNSET
    mask: ImageRef | None | Unset = UNSET
    lora_scale: float | None | Unset = UNSET
    image_size: GenerationCreateImageSizeType0 | ImageSize | None | Unset = UNSET
    num_images: int | None | Unset = UNSET
    seed: int | None | Unset = UNSET
    guidance_scale: float | None | Unset = UNSET
    num_inference_steps: int | None | Unset = UNSET
    output_format: GenerationCreateOutputFormatType0 | None | Unset = UNSET
    enable_safety_checker: bool | None | Unset = UNSET
    strength: float | None | Unset = UNSET
    negative_prompt: None | str | Unset = UNSET
    scheduler: GenerationCreateSchedulerType0 | None | Unset = UNSET
    clip_skip: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.image_ref import ImageRef  # noqa: PLC0415
        from ..models.image_size import ImageSize  # noqa: PLC0415

        model_id = self.model_id

        prompt = self.prompt

        metadata: dict[str, Any] | Unset = UNSET
        if not isinstance(self.metadata, Unset):
            metadata = self.metadata.to_dict()

        end_user: None | str | Unset
        if isinstance(self.end_user, Unset):
            end_user = UNSET
        else:
            end_user = self.end_user

        mode: str | Unset = UNSET
        if not isinstance(self.mode, Unset):
            mode = self.mode.value

        loras: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.loras, Unset):
            loras = []
            for loras_item_data in self.loras:
                loras_item = loras_item_data.to_dict()
                loras.append(loras_item)

        image: dict[str, Any] | None | Unset
        if isinstance(self.image, Unset):
            image = UNSET
        elif isinstance(self.image, ImageRef):
            image = self.image.to_dict()
        else:
            image = self.image

        mask: dict[str, Any] | None | Unset
        if isinstance(self.mask, Unset):
            mask = UNSET
        elif isinstance(self.mask, ImageRef):
            mask = self.mask.to_dict()
        else:
            mask = self.mask

        lora_scale: float | None | Unset
        if isinstance(self.lora_scale, Unset):
            lora_scale = UNSET
        else:
            lora_scale = self.lora_scale

        image_size: dict[str, Any] | None | str | Unset
        if isinstance(self.image_size, Unset):
            image_size = UNSET
        elif isinstance(self.image_size, GenerationCreateImageSizeType0):
            image_size = self.image_size.value
        elif isinstance(self.image_size, ImageSize):
            image_size = self.image_size.to_dict()
        else:
            image_size = self.image_size

        num_images: int | None | Unset
        if isinstance(self.num_images, Unset):
            num_images = UNSET
        else:
            num_images = self.num_images

        seed: int | None | Unset
        if isinstance(self.seed, Unset):
            seed = UNSET
        else:
            seed = self.seed

        guidance_scale: float | None | Unset
        if isinstance(self.guidance_scale, Unset):
            guidance_scale = UNSET
        else:
            guidance_scale = self.guidance_scale

        num_inference_steps: int | None | Unset
        if isinstance(self.num_inference_steps, Unset):
            num_inference_steps = UNSET
        else:
            num_inference_steps = self.num_inference_steps

        output_format: None | str | Unset
        if isinstance(self.output_format, Unset):
            output_format = UNSET
        elif isinstance(self.output_format, GenerationCreateOutputFormatType0):
            output_format = self.output_format.value
        else:
            output_format = self.output_format

        enable_safety_checker: bool | None | Unset
        if isinstance(self.enable_safety_checker, Unset):
            enable_safety_checker = UNSET
        else:
            enable_safety_checker = self.enable_safety_checker

        strength: float | None | Unset
        if isinstance(self.strength, Unset):
            strength = UNSET
        else:
            strength = self.strength

        negative_prompt: None | str | Unset
        if isinstance(self.negative_prompt, Unset):
            negative_prompt = UNSET
        else:
            negative_prompt = self.negative_prompt

        scheduler: None | str | Unset
        if isinstance(self.scheduler, Unset):
            scheduler = UNSET
        elif isinstance(self.scheduler, GenerationCreateSchedulerType0):
            scheduler = self.scheduler.value
        else:
            scheduler = self.scheduler

        clip_skip: int | None | Unset
        if isinstance(self.clip_skip, Unset):
            clip_skip = UNSET
        else:
            clip_skip = self.clip_skip

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "model_id": model_id,
                "prompt": prompt,
            }
        )
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if end_user is not UNSET:
            field_dict["end_user"] = end_user
        if mode is not UNSET:
            field_dict["mode"] = mode
        if loras is not UNSET:
            field_dict["loras"] = loras
        if image is not UNSET:
            field_dict["image"] = image
        if mask is not UNSET:
            field_dict["mask"] = mask
        if lora_scale is not UNSET:
            field_dict["lora_scale"] = lora_scale
        if image_size is not UNSET:
            field_dict["image_size"] = image_size
        if num_images is not UNSET:
            field_dict["num_images"] = num_images
        if seed is not UNSET:
            field_dict["seed"] = seed
        if guidance_scale is not UNSET:
            field_dict["guidance_scale"] = guidance_scale
        if num_inference_steps is not UNSET:
            field_dict["num_inference_steps"] = num_inference_steps
        if output_format is not UNSET:
            field_dict["output_format"] = output_format
        if enable_safety_checker is not UNSET:
            field_dict["enable_safety_checker"] = enable_safety_checker
        if strength is not UNSET:
            field_dict["strength"] = strength
        if negative_prompt is not UNSET:
            field_dict["negative_prompt"] = negative_prompt
        if scheduler is not UNSET:
            field_dict["scheduler"] = scheduler
        if clip_skip is not UNSET:
            field_dict["clip_skip"] = clip_skip

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.generation_create_metadata import GenerationCreateMetadata  # noqa: PLC0415
        from ..models.image_ref import ImageRef  # noqa: PLC0415
        from ..models.image_size import ImageSize  # noqa: PLC0415
        from ..models.lora_ref import LoraRef  # noqa: PLC0415

        d = dict(src_dict)
        model_id = d.pop("model_id")

        prompt = d.pop("prompt")

        _metadata = d.pop("metadata", UNSET)
        metadata: GenerationCreateMetadata | Unset
        if isinstance(_metadata, Unset):
            metadata = UNSET
        else:
            metadata = GenerationCreateMetadata.from_dict(_metadata)

        def _parse_end_user(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        end_user = _parse_end_user(d.pop("end_user", UNSET))

        _mode = d.pop("mode", UNSET)
        mode: GenerationCreateMode | Unset
        if isinstance(_mode, Unset):
            mode = UNSET
        else:
            mode = GenerationCreateMode(_mode)

        _loras = d.pop("loras", UNSET)
        loras: list[LoraRef] | Unset = UNSET
        if _loras is not UNSET:
            loras = []
            for loras_item_data in _loras:
                loras_item = LoraRef.from_dict(loras_item_data)

                loras.append(loras_item)

        def _parse_image(data: object) -> ImageRef | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                image_type_0 = ImageRef.from_dict(data)

                return image_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ImageRef | None | Unset, data)

        image = _parse_image(d.pop("image", UNSET))

        def _parse_mask(data: object) -> ImageRef | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                mask_type_0 = ImageRef.from_dict(data)

                return mask_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ImageRef | None | Unset, data)

        mask = _parse_mask(d.pop("mask", UNSET))

        def _parse_lora_scale(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        lora_scale = _parse_lora_scale(d.pop("lora_scale", UNSET))

        def _parse_image_size(data: object) -> GenerationCreateImageSizeType0 | ImageSize | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                image_size_type_0 = GenerationCreateImageSizeType0(data)

                return image_size_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                image_size_type_1 = ImageSize.from_dict(data)

                return image_size_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(GenerationCreateImageSizeType0 | ImageSize | None | Unset, data)

        image_size = _parse_image_size(d.pop("image_size", UNSET))

        def _parse_num_images(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        num_images = _parse_num_images(d.pop("num_images", UNSET))

        def _parse_seed(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        seed = _parse_seed(d.pop("seed", UNSET))

        def _parse_guidance_scale(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        guidance_scale = _parse_guidance_scale(d.pop("guidance_scale", UNSET))

        def _parse_num_inference_steps(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        num_inference_steps = _parse_num_inference_steps(d.pop("num_inference_steps", UNSET))

        def _parse_output_format(data: object) -> GenerationCreateOutputFormatType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                output_format_type_0 = GenerationCreateOutputFormatType0(data)

                return output_format_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(GenerationCreateOutputFormatType0 | None | Unset, data)

        output_format = _parse_output_format(d.pop("output_format", UNSET))

        def _parse_enable_safety_checker(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        enable_safety_checker = _parse_enable_safety_checker(d.pop("enable_safety_checker", UNSET))

        def _parse_strength(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        strength = _parse_strength(d.pop("strength", UNSET))

        def _parse_negative_prompt(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        negative_prompt = _parse_negative_prompt(d.pop("negative_prompt", UNSET))

        def _parse_scheduler(data: object) -> GenerationCreateSchedulerType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                scheduler_type_0 = GenerationCreateSchedulerType0(data)

                return scheduler_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(GenerationCreateSchedulerType0 | None | Unset, data)

        scheduler = _parse_scheduler(d.pop("scheduler", UNSET))

        def _parse_clip_skip(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        clip_skip = _parse_clip_skip(d.pop("clip_skip", UNSET))

        generation_create = cls(
            model_id=model_id,
            prompt=prompt,
            metadata=metadata,
            end_user=end_user,
            mode=mode,
            loras=loras,
            image=image,
            mask=mask,
            lora_scale=lora_scale,
            image_size=image_size,
            num_images=num_images,
            seed=seed,
            guidance_scale=guidance_scale,
            num_inference_steps=num_inference_steps,
            output_format=output_format,
            enable_safety_checker=enable_safety_checker,
            strength=strength,
            negative_prompt=negative_prompt,
            scheduler=scheduler,
            clip_skip=clip_skip,
        )

        return generation_create
