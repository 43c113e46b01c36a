from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.character_train_trainer import CharacterTrainTrainer
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.character_train_params import CharacterTrainParams


T = TypeVar("T", bound="CharacterTrain")


@_attrs_define
class CharacterTrain:
    """
    Attributes:
        trainer (CharacterTrainTrainer | Unset):  Default: CharacterTrainTrainer.FAST.
        params (CharacterTrainParams | Unset): The trainer's inputs, as for `POST /v1/trainings`.
        variations (int | None | Unset): How many image-to-image variations of the reference to add first (default: as
            many as the dataset lacks to reach the trainer's minimum).
    """

    trainer: CharacterTrainTrainer | Unset = CharacterTrainTrainer.FAST
    params: CharacterTrainParams | Unset = UNSET
    variations: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        trainer: str | Unset = UNSET
        if not isinstance(self.trainer, Unset):
            trainer = self.trainer.value

        params: dict[str, Any] | Unset = UNSET
        if not isinstance(self.params, Unset):
            params = self.params.to_dict()

        variations: int | None | Unset
        if isinstance(self.variations, Unset):
            variations = UNSET
        else:
            variations = self.variations

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if trainer is not UNSET:
            field_dict["trainer"] = trainer
        if params is not UNSET:
            field_dict["params"] = params
        if variations is not UNSET:
            field_dict["variations"] = variations

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.character_train_params import CharacterTrainParams  # noqa: PLC0415

        d = dict(src_dict)
        _trainer = d.pop("trainer", UNSET)
        trainer: CharacterTrainTrainer | Unset
        if isinstance(_trainer, Unset):
            trainer = UNSET
        else:
            trainer = CharacterTrainTrainer(_trainer)

        _params = d.pop("params", UNSET)
        params: CharacterTrainParams | Unset
        if isinstance(_params, Unset):
            params = UNSET
        else:
            params = CharacterTrainParams.from_dict(_params)

        def _parse_variations(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        variations = _parse_variations(d.pop("variations", UNSET))

        character_train = cls(
            trainer=trainer,
            params=params,
            variations=variations,
        )

        return character_train
