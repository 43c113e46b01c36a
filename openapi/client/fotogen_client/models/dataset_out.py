from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.dataset_out_kind import DatasetOutKind

if TYPE_CHECKING:
    from ..models.dataset_out_metadata import DatasetOutMetadata


T = TypeVar("T", bound="DatasetOut")


@_attrs_define
class DatasetOut:
    """
    Attributes:
        metadata (DatasetOutMetadata): Your own key/value pairs (strings; at most 20 keys, a key at most 40 characters,
            a value at most 500). Returned as given; lists filter with `?metadata[key]=value`.
        end_user (None | str): Your app's id for the person who asked (at most 128 characters); lists filter with
            `?end_user=`.
        id (str):
        name (str):
        description (None | str):
        trigger_word (None | str):
        kind (DatasetOutKind):
        image_count (int):
        total_bytes (int): Sum of the stored images' sizes.
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
    """

    metadata: DatasetOutMetadata
    end_user: None | str
    id: str
    name: str
    description: None | str
    trigger_word: None | str
    kind: DatasetOutKind
    image_count: int
    total_bytes: int
    created_at: datetime.datetime
    updated_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        metadata = self.metadata.to_dict()

        end_user: None | str
        end_user = self.end_user

        id = self.id

        name = self.name

        description: None | str
        description = self.description

        trigger_word: None | str
        trigger_word = self.trigger_word

        kind = self.kind.value

        image_count = self.image_count

        total_bytes = self.total_bytes

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "metadata": metadata,
                "end_user": end_user,
                "id": id,
                "name": name,
                "description": description,
                "trigger_word": trigger_word,
                "kind": kind,
                "image_count": image_count,
                "total_bytes": total_bytes,
                "created_at": created_at,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.dataset_out_metadata import DatasetOutMetadata  # noqa: PLC0415

        d = dict(src_dict)
        metadata = DatasetOutMetadata.from_dict(d.pop("metadata"))

        def _parse_end_user(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        end_user = _parse_end_user(d.pop("end_user"))

        id = d.pop("id")

        name = d.pop("name")

        def _parse_description(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        description = _parse_description(d.pop("description"))

        def _parse_trigger_word(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        trigger_word = _parse_trigger_word(d.pop("trigger_word"))

        kind = DatasetOutKind(d.pop("kind"))

        image_count = d.pop("image_count")

        total_bytes = d.pop("total_bytes")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        dataset_out = cls(
            metadata=metadata,
            end_user=end_user,
            id=id,
            name=name,
            description=description,
            trigger_word=trigger_word,
            kind=kind,
            image_count=image_count,
            total_bytes=total_bytes,
            created_at=created_at,
            updated_at=updated_at,
        )

        dataset_out.additional_properties = d
        return dataset_out

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
