from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.character_out_status import CharacterOutStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.character_out_error_type_0 import CharacterOutErrorType0
    from ..models.character_out_metadata import CharacterOutMetadata
    from ..models.reference_out import ReferenceOut


T = TypeVar("T", bound="CharacterOut")


@_attrs_define
class CharacterOut:
    """
    Attributes:
        metadata (CharacterOutMetadata): Your own key/value pairs (strings; at most 20 keys, a key at most 40
            characters, a value at most 500). Returned as given; lists filter with `?metadata[key]=value`.
        end_user (None | str): Your app's id for the person who asked (at most 128 characters); lists filter with
            `?end_user=`.
        id (str):
        name (str):
        description (str):
        art_style (None | str):
        style_modifiers (list[str]):
        trigger_word (str): The LoRA's trigger word; scene prompts start with it once trained.
        reference (None | ReferenceOut):
        dataset_id (None | str): The character's own dataset (made when a reference is picked).
        model_id (None | str): The character's LoRA, once trained.
        training_id (None | str): The latest training of the character.
        status (CharacterOutStatus): `draft` until a reference is picked, then `referenced`; `training` while `…/train`
            runs, then `trained` or `failed`.
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
        error (CharacterOutErrorType0 | None | Unset): Why the last training failed (`code`, `message`).
    """

    metadata: CharacterOutMetadata
    end_user: None | str
    id: str
    name: str
    description: str
    art_style: None | str
    style_modifiers: list[str]
    trigger_word: str
    reference: None | ReferenceOut
    dataset_id: None | str
    model_id: None | str
    training_id: None | str
    status: CharacterOutStatus
    created_at: datetime.datetime
    updated_at: datetime.datetime
    error: CharacterOutErrorType0 | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.character_out_error_type_0 import CharacterOutErrorType0  # noqa: PLC0415
        from ..models.reference_out import ReferenceOut  # noqa: PLC0415

        metadata = self.metadata.to_dict()

        end_user: None | str
        end_user = self.end_user

        id = self.id

        name = self.name

        description = self.description

        art_style: None | str
        art_style = self.art_style

        style_modifiers = self.style_modifiers

        trigger_word = self.trigger_word

        reference: dict[str, Any] | None
        if isinstance(self.reference, ReferenceOut):
            reference = self.reference.to_dict()
        else:
            reference = self.reference

        dataset_id: None | str
        dataset_id = self.dataset_id

        model_id: None | str
        model_id = self.model_id

        training_id: None | str
        training_id = self.training_id

        status = self.status.value

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        error: dict[str, Any] | None | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        elif isinstance(self.error, CharacterOutErrorType0):
            error = self.error.to_dict()
        else:
            error = self.error

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "metadata": metadata,
                "end_user": end_user,
                "id": id,
                "name": name,
                "description": description,
                "art_style": art_style,
                "style_modifiers": style_modifiers,
                "trigger_word": trigger_word,
                "reference": reference,
                "dataset_id": dataset_id,
                "model_id": model_id,
                "training_id": training_id,
                "status": status,
                "created_at": created_at,
                "updated_at": updated_at,
            }
        )
        if error is not UNSET:
            field_dict["error"] = error

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.character_out_error_type_0 import CharacterOutErrorType0  # noqa: PLC0415
        from ..models.character_out_metadata import CharacterOutMetadata  # noqa: PLC0415
        from ..models.reference_out import ReferenceOut  # noqa: PLC0415

        d = dict(src_dict)
        metadata = CharacterOutMetadata.from_dict(d.pop("metadata"))

        def _parse_end_user(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        end_user = _parse_end_user(d.pop("end_user"))

        id = d.pop("id")

        name = d.pop("name")

        description = d.pop("description")

        def _parse_art_style(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        art_style = _parse_art_style(d.pop("art_style"))

        style_modifiers = cast(list[str], d.pop("style_modifiers"))

        trigger_word = d.pop("trigger_word")

        def _parse_reference(data: object) -> None | ReferenceOut:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                reference_type_0 = ReferenceOut.from_dict(data)

                return reference_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ReferenceOut, data)

        reference = _parse_reference(d.pop("reference"))

        def _parse_dataset_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        dataset_id = _parse_dataset_id(d.pop("dataset_id"))

        def _parse_model_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        model_id = _parse_model_id(d.pop("model_id"))

        def _parse_training_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        training_id = _parse_training_id(d.pop("training_id"))

        status = CharacterOutStatus(d.pop("status"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        def _parse_error(data: object) -> CharacterOutErrorType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                error_type_0 = CharacterOutErrorType0.from_dict(data)

                return error_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CharacterOutErrorType0 | None | Unset, data)

        error = _parse_error(d.pop("error", UNSET))

        character_out = cls(
            metadata=metadata,
            end_user=end_user,
            id=id,
            name=name,
            description=description,
            art_style=art_style,
            style_modifiers=style_modifiers,
            trigger_word=trigger_word,
            reference=reference,
            dataset_id=dataset_id,
            model_id=model_id,
            training_id=training_id,
            status=status,
            created_at=created_at,
            updated_at=updated_at,
            error=error,
        )

        character_out.additional_properties = d
        return character_out

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
