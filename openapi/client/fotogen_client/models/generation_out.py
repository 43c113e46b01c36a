from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.generation_out_status import GenerationOutStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.generation_image_out import GenerationImageOut
    from ..models.generation_out_metadata import GenerationOutMetadata
    from ..models.generation_params import GenerationParams
    from ..models.job_error import JobError


T = TypeVar("T", bound="GenerationOut")


@_attrs_define
class GenerationOut:
    """
    Attributes:
        metadata (GenerationOutMetadata): Your own key/value pairs (strings; at most 20 keys, a key at most 40
            characters, a value at most 500). Returned as given; lists filter with `?metadata[key]=value`.
        end_user (None | str): Your app's id for the person who asked (at most 128 characters); lists filter with
            `?end_user=`.
        id (str):
        status (GenerationOutStatus):
        model_id (str):
        prompt (str): The prompt as sent to the provider (trigger words included).
        params (GenerationParams): The request as it was sent to the provider (the mode's defaults filled in).
        images (list[GenerationImageOut]):
        seed (int | None): The seed the provider used (known once the generation succeeded).
        error (JobError | None):
        created_at (datetime.datetime):
        started_at (datetime.datetime | None):
        finished_at (datetime.datetime | None):
        character_id (None | str | Unset): The character it was made for (references, variations, scenes), else null.
    """

    metadata: GenerationOutMetadata
    end_user: None | str
    id: str
    status: GenerationOutStatus
    model_id: str
    prompt: str
    params: GenerationParams
    images: list[GenerationImageOut]
    seed: int | None
    error: JobError | None
    created_at: datetime.datetime
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None
    character_id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.job_error import JobError  # noqa: PLC0415

        metadata = self.metadata.to_dict()

        end_user: None | str
        end_user = self.end_user

        id = self.id

        status = self.status.value

        model_id = self.model_id

        prompt = self.prompt

        params = self.params.to_dict()

        images = []
        for images_item_data in self.images:
            images_item = images_item_data.to_dict()
            images.append(images_item)

        seed: int | None
        seed = self.seed

        error: dict[str, Any] | None
        if isinstance(self.error, JobError):
            error = self.error.to_dict()
        else:
            error = self.error

        created_at = self.created_at.isoformat()

        started_at: None | str
        if isinstance(self.started_at, datetime.datetime):
            started_at = self.started_at.isoformat()
        else:
            started_at = self.started_at

        finished_at: None | str
        if isinstance(self.finished_at, datetime.datetime):
            finished_at = self.finished_at.isoformat()
        else:
            finished_at = self.finished_at

        character_id: None | str | Unset
        if isinstance(self.character_id, Unset):
            character_id = UNSET
        else:
            character_id = self.character_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "metadata": metadata,
                "end_user": end_user,
                "id": id,
                "status": status,
                "model_id": model_id,
                "prompt": prompt,
                "params": params,
                "images": images,
                "seed": seed,
                "error": error,
                "created_at": created_at,
                "started_at": started_at,
                "finished_at": finished_at,
            }
        )
        if character_id is not UNSET:
            field_dict["character_id"] = character_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.generation_image_out import GenerationImageOut  # noqa: PLC0415
        from ..models.generation_out_metadata import GenerationOutMetadata  # noqa: PLC0415
        from ..models.generation_params import GenerationParams  # noqa: PLC0415
        from ..models.job_error import JobError  # noqa: PLC0415

        d = dict(src_dict)
        metadata = GenerationOutMetadata.from_dict(d.pop("metadata"))

        def _parse_end_user(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        end_user = _parse_end_user(d.pop("end_user"))

        id = d.pop("id")

        status = GenerationOutStatus(d.pop("status"))

        model_id = d.pop("model_id")

        prompt = d.pop("prompt")

        params = GenerationParams.from_dict(d.pop("params"))

        images = []
        _images = d.pop("images")
        for images_item_data in _images:
            images_item = GenerationImageOut.from_dict(images_item_data)

            images.append(images_item)

        def _parse_seed(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        seed = _parse_seed(d.pop("seed"))

        def _parse_error(data: object) -> JobError | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                error_type_0 = JobError.from_dict(data)

                return error_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(JobError | None, data)

        error = _parse_error(d.pop("error"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_started_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                started_at_type_0 = datetime.datetime.fromisoformat(data)

                return started_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        started_at = _parse_started_at(d.pop("started_at"))

        def _parse_finished_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                finished_at_type_0 = datetime.datetime.fromisoformat(data)

                return finished_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        finished_at = _parse_finished_at(d.pop("finished_at"))

        def _parse_character_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        character_id = _parse_character_id(d.pop("character_id", UNSET))

        generation_out = cls(
            metadata=metadata,
            end_user=end_user,
            id=id,
            status=status,
            model_id=model_id,
            prompt=prompt,
            params=params,
            images=images,
            seed=seed,
            error=error,
            created_at=created_at,
            started_at=started_at,
            finished_at=finished_at,
            character_id=character_id,
        )

        generation_out.additional_properties = d
        return generation_out

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
