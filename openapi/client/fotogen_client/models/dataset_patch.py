from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.dataset_patch_kind_type_0 import DatasetPatchKindType0
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.dataset_patch_metadata_type_0 import DatasetPatchMetadataType0


T = TypeVar("T", bound="DatasetPatch")


@_attrs_define
class DatasetPatch:
    """Only the fields sent change; `description` and `trigger_word` may be set to null.

    Attributes:
        name (None | str | Unset):
        description (None | str | Unset):
        trigger_word (None | str | Unset):
        kind (DatasetPatchKindType0 | None | Unset):
        metadata (DatasetPatchMetadataType0 | None | Unset):
        end_user (None | str | Unset): Your app's id for the person who asked (at most 128 characters); lists filter
            with `?end_user=`. Null clears it.
    """

    name: None | str | Unset = UNSET
    description: None | str | Unset = UNSET
    trigger_word: None | str | Unset = UNSET
    kind: DatasetPatchKindType0 | None | Unset = UNSET
    metadata: DatasetPatchMetadataType0 | None | Unset = UNSET
    end_user: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.dataset_patch_metadata_type_0 import DatasetPatchMetadataType0  # noqa: PLC0415

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

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

        kind: None | str | Unset
        if isinstance(self.kind, Unset):
            kind = UNSET
        elif isinstance(self.kind, DatasetPatchKindType0):
            kind = self.kind.value
        else:
            kind = self.kind

        metadata: dict[str, Any] | None | Unset
        if isinstance(self.metadata, Unset):
            metadata = UNSET
        elif isinstance(self.metadata, DatasetPatchMetadataType0):
            metadata = self.metadata.to_dict()
        else:
            metadata = self.metadata

        end_user: None | str | Unset
        if isinstance(self.end_user, Unset):
            end_user = UNSET
        else:
            end_user = self.end_user

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if name is not UNSET:
            field_dict["name"] = name
        if description is not UNSET:
            field_dict["description"] = description
        if trigger_word is not UNSET:
            field_dict["trigger_word"] = trigger_word
        if kind is not UNSET:
            field_dict["kind"] = kind
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if end_user is not UNSET:
            field_dict["end_user"] = end_user

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.dataset_patch_metadata_type_0 import DatasetPatchMetadataType0  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

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

        def _parse_kind(data: object) -> DatasetPatchKindType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                kind_type_0 = DatasetPatchKindType0(data)

                return kind_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(DatasetPatchKindType0 | None | Unset, data)

        kind = _parse_kind(d.pop("kind", UNSET))

        def _parse_metadata(data: object) -> DatasetPatchMetadataType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                metadata_type_0 = DatasetPatchMetadataType0.from_dict(data)

                return metadata_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(DatasetPatchMetadataType0 | None | Unset, data)

        metadata = _parse_metadata(d.pop("metadata", UNSET))

        def _parse_end_user(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        end_user = _parse_end_user(d.pop("end_user", UNSET))

        dataset_patch = cls(
            name=name,
            description=description,
            trigger_word=trigger_word,
            kind=kind,
            metadata=metadata,
            end_user=end_user,
        )

        return dataset_patch
