from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.generation_params_image_size_type_0 import GenerationParamsImageSizeType0
from ..models.generation_params_mode import GenerationParamsMode
from ..models.generation_params_output_format import GenerationParamsOutputFormat
from ..models.generation_params_scheduler_type_0 import GenerationParamsSchedulerType0
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.image_ref import ImageRef
    from ..models.image_size import ImageSize
    from ..models.lora_ref import LoraRef


T = TypeVar("T", bound="GenerationParams")


@_attrs_define
class GenerationParams:
    """The request as it was sent to the provider (the mode's defaults filled in).

    Attributes:
        num_images (int):
        seed (int | None): The seed you asked for (null: random; the one used is `seed`).
        guidance_scale (float):
        num_inference_steps (int):
        output_format (GenerationParamsOutputFormat):
        enable_safety_checker (bool):
        mode (GenerationParamsMode | Unset):  Default: GenerationParamsMode.TEXT_TO_IMAGE.
        loras (list[LoraRef] | Unset): Every LoRA applied, `model_id` first when it is a LoRA.
        image (ImageRef | None | Unset):
        mask (ImageRef | None | Unset):
        strength (float | None | Unset):
        image_size (GenerationParamsImageSizeType0 | ImageSize | None | Unset): Null: the init image's size
            (image_to_image, inpainting).
        lora_scale (float | None | Unset): Scale of `model_id` when it is a LoRA, else null.
        negative_prompt (None | str | Unset):
        scheduler (GenerationParamsSchedulerType0 | None | Unset):
        clip_skip (int | None | Unset):
    """

    num_images: int
    seed: int | None
    guidance_scale: float
    num_inference_steps: int
    output_format: GenerationParamsOutputFormat
    enable_safety_checker: bool
    mode: GenerationParamsMode | Unset = GenerationParamsMode.TEXT_TO_IMAGE
    loras: list[LoraRef] | Unset = UNSET
    image: ImageRef | None | Unset = UNSET
    mask: ImageRef | None | Unset = UNSET
    strength: float | None | Unset = UNSET
    image_size: GenerationParamsImageSizeType0 | ImageSize | None | Unset = UNSET
    lora_scale: float | None | Unset = UNSET
    negative_prompt: None | str | Unset = UNSET
    scheduler: GenerationParamsSchedulerType0 | None | Unset = UNSET
    clip_skip: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.image_ref import ImageRef  # noqa: PLC0415
        from ..models.image_size import ImageSize  # noqa: PLC0415

        num_images = self.num_images

        seed: int | None
        seed = self.seed

        guidance_scale = self.guidance_scale

        num_inference_steps = self.num_inference_steps

        output_format = self.output_format.value

        enable_safety_checker = self.enable_safety_checker

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

        strength: float | None | Unset
        if isinstance(self.strength, Unset):
            strength = UNSET
        else:
            strength = self.strength

        image_size: dict[str, Any] | None | str | Unset
        if isinstance(self.image_size, Unset):
            image_size = UNSET
        elif isinstance(self.image_size, GenerationParamsImageSizeType0):
            image_size = self.image_size.value
        elif isinstance(self.image_size, ImageSize):
            image_size = self.image_size.to_dict()
        else:
            image_size = self.image_size

        lora_scale: float | None | Unset
        if isinstance(self.lora_scale, Unset):
            lora_scale = UNSET
        else:
            lora_scale = self.lora_scale

        negative_prompt: None | str | Unset
        if isinstance(self.negative_prompt, Unset):
            negative_prompt = UNSET
        else:
            negative_prompt = self.negative_prompt

        scheduler: None | str | Unset
        if isinstance(self.scheduler, Unset):
            scheduler = UNSET
        elif isinstance(self.scheduler, GenerationParamsSchedulerType0):
            scheduler = self.scheduler.value
        else:
            scheduler = self.scheduler

        clip_skip: int | None | Unset
        if isinstance(self.clip_skip, Unset):
            clip_skip = UNSET
        else:
            clip_skip = self.clip_skip

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "num_images": num_images,
                "seed": seed,
                "guidance_scale": guidance_scale,
                "num_inference_steps": num_inference_steps,
                "output_format": output_format,
                "enable_safety_checker": enable_safety_checker,
            }
        )
        if mode is not UNSET:
            field_dict["mode"] = mode
        if loras is not UNSET:
            field_dict["loras"] = loras
        if image is not UNSET:
            field_dict["image"] = image
        if mask is not UNSET:
            field_dict["mask"] = mask
        if strength is not UNSET:
            field_dict["strength"] = strength
        if image_size is not UNSET:
            field_dict["image_size"] = image_size
        if lora_scale is not UNSET:
            field_dict["lora_scale"] = lora_scale
        if negative_prompt is not UNSET:
            field_dict["negative_prompt"] = negative_prompt
        if scheduler is not UNSET:
            field_dict["scheduler"] = scheduler
        if clip_skip is not UNSET:
            field_dict["clip_skip"] = clip_skip

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.image_ref import ImageRef  # noqa: PLC0415
        from ..models.image_size import ImageSize  # noqa: PLC0415
        from ..models.lora_ref import LoraRef  # noqa: PLC0415

        d = dict(src_dict)
        num_images = d.pop("num_images")

        def _parse_seed(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        seed = _parse_seed(d.pop("seed"))

        guidance_scale = d.pop("guidance_scale")

        num_inference_steps = d.pop("num_inference_steps")

        output_format = GenerationParamsOutputFormat(d.pop("output_format"))

        enable_safety_checker = d.pop("enable_safety_checker")

        _mode = d.pop("mode", UNSET)
        mode: GenerationParamsMode | Unset
        if isinstance(_mode, Unset):
            mode = UNSET
        else:
            mode = GenerationParamsMode(_mode)

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

        def _parse_strength(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        strength = _parse_strength(d.pop("strength", UNSET))

        def _parse_image_size(data: object) -> GenerationParamsImageSizeType0 | ImageSize | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                image_size_type_0 = GenerationParamsImageSizeType0(data)

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
            return cast(GenerationParamsImageSizeType0 | ImageSize | None | Unset, data)

        image_size = _parse_image_size(d.pop("image_size", UNSET))

        def _parse_lora_scale(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        lora_scale = _parse_lora_scale(d.pop("lora_scale", UNSET))

        def _parse_negative_prompt(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        negative_prompt = _parse_negative_prompt(d.pop("negative_prompt", UNSET))

        def _parse_scheduler(data: object) -> GenerationParamsSchedulerType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                scheduler_type_0 = GenerationParamsSchedulerType0(data)

                return scheduler_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(GenerationParamsSchedulerType0 | None | Unset, data)

        scheduler = _parse_scheduler(d.pop("scheduler", UNSET))

        def _parse_clip_skip(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        clip_skip = _parse_clip_skip(d.pop("clip_skip", UNSET))

        generation_params = cls(
            num_images=num_images,
            seed=seed,
            guidance_scale=guidance_scale,
            num_inference_steps=num_inference_steps,
            output_format=output_format,
            enable_safety_checker=enable_safety_checker,
            mode=mode,
            loras=loras,
            image=image,
            mask=mask,
            strength=strength,
            image_size=image_size,
            lora_scale=lora_scale,
            negative_prompt=negative_prompt,
            scheduler=scheduler,
            clip_skip=clip_skip,
        )

        generation_params.additional_properties = d
        return generation_params

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
