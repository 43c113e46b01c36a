from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.dataset_create_kind import DatasetCreateKind
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.dataset_create_metadata import DatasetCreateMetadata


T = TypeVar("T", bound="DatasetCreate")


@_attrs_define
class DatasetCreate:
    """
    Attributes:
        name (str):
        metadata (DatasetCreateMetadata | Unset): Your own key/value pairs (strings; at most 20 keys, a key at most 40
            characters, a value at most 500). Returned as given; lists filter with `?metadata[key]=value`.
        end_user (None | str | Unset): Your app's id for the person who asked (at most 128 characters); lists filter
            with `?end_user=`.
        description (None | str | Unset):
        trigger_word (None | str | Unset): Word the trained LoRA associates with the subject or style (default for
            trainings).
        kind (DatasetCreateKind | Unset): A subject (person, object) or a style. Default: DatasetCreateKind.SUBJECT.
    """

    name: str
    metadata: DatasetCreateMetadata | Unset = UNSET
    end_user: None | str | Unset = UNSET
    description: None | str | Unset = UNSET
    trigger_word: None | str | Unset = UNSET
    kind: DatasetCreateKind | Unset = DatasetCreateKind.SUBJECT

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        metadata: dict[str, Any] | Unset = UNSET
        if not isinstance(self.metadata, Unset):
            metadata = self.metadata.to_dict()

        end_user: None | str | Unset
        if isinstance(self.end_user, Unset):
            end_user = UNSET
        else:
            end_user = self.end_user

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        trigger_word: None | str | Unset
        if isinstance(self.trigger_word, Unset):
            trigger_word = UNSET
        else:
            trigger_word = self.trigger_word

        kind: str | Unset = UNSET
        if not isinstance(self.kind, Unset):
            kind = self.kind.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
            }
        )
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if end_user is not UNSET:
            field_dict["end_user"] = end_user
        if description is not UNSET:
            field_dict["description"] = description
        if trigger_word is not UNSET:
            field_dict["trigger_word"] = trigger_word
        if kind is not UNSET:
            field_dict["kind"] = kind

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.dataset_create_metadata import DatasetCreateMetadata  # noqa: PLC0415

        d = dict(src_dict)
        name = d.pop("name")

        _metadata = d.pop("metadata", UNSET)
        metadata: DatasetCreateMetadata | Unset
        if isinstance(_metadata, Unset):
            metadata = UNSET
        else:
            metadata = DatasetCreateMetadata.from_dict(_metadata)

        def _parse_end_user(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        end_user = _parse_end_user(d.pop("end_user", UNSET))

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        def _parse_trigger_word(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        trigger_word = _parse_trigger_word(d.pop("trigger_word", UNSET))

        _kind = d.pop("kind", UNSET)
        kind: DatasetCreateKind | Unset
        if isinstance(_kind, Unset):
            kind = UNSET
        else:
            kind = DatasetCreateKind(_kind)

        dataset_create = cls(
            name=name,
            metadata=metadata,
            end_user=end_user,
            description=description,
            trigger_word=trigger_word,
            kind=kind,
        )

        return dataset_create
