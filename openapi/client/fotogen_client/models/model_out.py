from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.model_out_category import ModelOutCategory
from ..models.model_out_type import ModelOutType
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.mode_out import ModeOut
    from ..models.stored_file import StoredFile
    from ..models.trainer_out import TrainerOut
    from ..models.weights import Weights


T = TypeVar("T", bound="ModelOut")


@_attrs_define
class ModelOut:
    """
    Attributes:
        id (str):
        name (str):
        type_ (ModelOutType):
        category (ModelOutCategory):
        base_model_id (None | str):
        training_id (None | str):
        trigger_word (None | str):
        weights (None | Weights):
        created_at (datetime.datetime):
        description (None | str | Unset):
        trainers (list[TrainerOut] | Unset): Trainers that can fine-tune this model (base models only).
        config (None | StoredFile | Unset): The trainer's `config.json`, as stored with the weights.
        parent_model_id (None | str | Unset): The LoRA this one was trained from (`resume_from_model_id`), if any.
        modes (list[ModeOut] | Unset): What the model makes and how (a trained LoRA has its base model's).
    """

    id: str
    name: str
    type_: ModelOutType
    category: ModelOutCategory
    base_model_id: None | str
    training_id: None | str
    trigger_word: None | str
    weights: None | Weights
    created_at: datetime.datetime
    description: None | str | Unset = UNSET
    trainers: list[TrainerOut] | Unset = UNSET
    config: None | StoredFile | Unset = UNSET
    parent_model_id: None | str | Unset = UNSET
    modes: list[ModeOut] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.stored_file import StoredFile  # noqa: PLC0415
        from ..models.weights import Weights  # noqa: PLC0415

        id = self.id

        name = self.name

        type_ = self.type_.value

        category = self.category.value

        base_model_id: None | str
        base_model_id = self.base_model_id

        training_id: None | str
        training_id = self.training_id

        trigger_word: None | str
        trigger_word = self.trigger_word

        weights: dict[str, Any] | None
        if isinstance(self.weights, Weights):
            weights = self.weights.to_dict()
        else:
            weights = self.weights

        created_at = self.created_at.isoformat()

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        trainers: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.trainers, Unset):
            trainers = []
            for trainers_item_data in self.trainers:
                trainers_item = trainers_item_data.to_dict()
                trainers.append(trainers_item)

        config: dict[str, Any] | None | Unset
        if isinstance(self.config, Unset):
            config = UNSET
        elif isinstance(self.config, StoredFile):
            config = self.config.to_dict()
        else:
            config = self.config

        parent_model_id: None | str | Unset
        if isinstance(self.parent_model_id, Unset):
            parent_model_id = UNSET
        else:
            parent_model_id = self.parent_model_id

        modes: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.modes, Unset):
            modes = []
            for modes_item_data in self.modes:
                modes_item = modes_item_data.to_dict()
                modes.append(modes_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "type": type_,
                "category": category,
                "base_model_id": base_model_id,
                "training_id": training_id,
                "trigger_word": trigger_word,
                "weights": weights,
                "created_at": created_at,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description
        if trainers is not UNSET:
            field_dict["trainers"] = trainers
        if config is not UNSET:
            field_dict["config"] = config
        if parent_model_id is not UNSET:
            field_dict["parent_model_id"] = parent_model_id
        if modes is not UNSET:
            field_dict["modes"] = modes

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.mode_out import ModeOut  # noqa: PLC0415
        from ..models.stored_file import StoredFile  # noqa: PLC0415
        from ..models.trainer_out import TrainerOut  # noqa: PLC0415
        from ..models.weights import Weights  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        type_ = ModelOutType(d.pop("type"))

        category = ModelOutCategory(d.pop("category"))

        def _parse_base_model_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        base_model_id = _parse_base_model_id(d.pop("base_model_id"))

        def _parse_training_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        training_id = _parse_training_id(d.pop("training_id"))

        def _parse_trigger_word(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        trigger_word = _parse_trigger_word(d.pop("trigger_word"))

        def _parse_weights(data: object) -> None | Weights:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                weights_type_0 = Weights.from_dict(data)

                return weights_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Weights, data)

        weights = _parse_weights(d.pop("weights"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        _trainers = d.pop("trainers", UNSET)
        trainers: list[TrainerOut] | Unset = UNSET
        if _trainers is not UNSET:
            trainers = []
            for trainers_item_data in _trainers:
                trainers_item = TrainerOut.from_dict(trainers_item_data)

                trainers.append(trainers_item)

        def _parse_config(data: object) -> None | StoredFile | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                config_type_0 = StoredFile.from_dict(data)

                return config_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | StoredFile | Unset, data)

        config = _parse_config(d.pop("config", UNSET))

        def _parse_parent_model_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        parent_model_id = _parse_parent_model_id(d.pop("parent_model_id", UNSET))

        _modes = d.pop("modes", UNSET)
        modes: list[ModeOut] | Unset = UNSET
        if _modes is not UNSET:
            modes = []
            for modes_item_data in _modes:
                modes_item = ModeOut.from_dict(modes_item_data)

                modes.append(modes_item)

        model_out = cls(
            id=id,
            name=name,
            type_=type_,
            category=category,
            base_model_id=base_model_id,
            training_id=training_id,
            trigger_word=trigger_word,
            weights=weights,
            created_at=created_at,
            description=description,
            trainers=trainers,
            config=config,
            parent_model_id=parent_model_id,
            modes=modes,
        )

        model_out.additional_properties = d
        return model_out

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
