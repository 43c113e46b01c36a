from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.training_create_trainer import TrainingCreateTrainer
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.training_create_metadata import TrainingCreateMetadata
    from ..models.training_create_params import TrainingCreateParams


T = TypeVar("T", bound="TrainingCreate")


@_attrs_define
class TrainingCreate:
    """
    Attributes:
        dataset_id (str):
        metadata (TrainingCreateMetadata | Unset): Your own key/value pairs (strings; at most 20 keys, a key at most 40
            characters, a value at most 500). Returned as given; lists filter with `?metadata[key]=value`.
        end_user (None | str | Unset): Your app's id for the person who asked (at most 128 characters); lists filter
            with `?end_user=`.
        base_model_id (str | Unset):  Default: 'mdl_flux_1_dev'.
        trainer (TrainingCreateTrainer | Unset):  Default: TrainingCreateTrainer.FAST.
        name (None | str | Unset):
        trigger_word (None | str | Unset): Defaults to the dataset's trigger word, else `TOK`.
        params (TrainingCreateParams | Unset): The trainer's inputs: exactly the fields of the base model's
            `trainers[].params_schema` (`GET /v1/models/{id}`), which follows Fal's published schema for that trainer; Fal's
            defaults fill what you leave out. An unknown or out-of-range field → 422 naming it.
        start (bool | Unset): `false`: create the training in status `created` (nothing queued or charged) and start it
            later with `POST /v1/trainings/{id}/start`. Default: True.
        resume_from_model_id (None | str | Unset): Continue training one of your LoRAs of the same base model (more
            photos or steps), through the trainer's resume input; a trainer without one → 422 `trainer_cannot_resume`. The
            new model's `parent_model_id` is this model.
    """

    dataset_id: str
    metadata: TrainingCreateMetadata | Unset = UNSET
    end_user: None | str | Unset = UNSET
    base_model_id: str | Unset = "mdl_flux_1_dev"
    trainer: TrainingCreateTrainer | Unset = TrainingCreateTrainer.FAST
    name: None | str | Unset = UNSET
    trigger_word: None | str | Unset = UNSET
    params: TrainingCreateParams | Unset = UNSET
    start: bool | Unset = True
    resume_from_model_id: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        dataset_id = self.dataset_id

        metadata: dict[str, Any] | Unset = UNSET
        if not isinstance(self.metadata, Unset):
            metadata = self.metadata.to_dict()

        end_user: None | str | Unset
        if isinstance(self.end_user, Unset):
            end_user = UNSET
        else:
            end_user = self.end_user

        base_model_id = self.base_model_id

        trainer: str | Unset = UNSET
        if not isinstance(self.trainer, Unset):
            trainer = self.trainer.value

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        trigger_word: None | str | Unset
        if isinstance(self.trigger_word, Unset):
            trigger_word = UNSET
        else:
            trigger_word = self.trigger_word

        params: dict[str, Any] | Unset = UNSET
        if not isinstance(self.params, Unset):
            params = self.params.to_dict()

        start = self.start

        resume_from_model_id: None | str | Unset
        if isinstance(self.resume_from_model_id, Unset):
            resume_from_model_id = UNSET
        else:
            resume_from_model_id = self.resume_from_model_id

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "dataset_id": dataset_id,
            }
        )
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if end_user is not UNSET:
            field_dict["end_user"] = end_user
        if base_model_id is not UNSET:
            field_dict["base_model_id"] = base_model_id
        if trainer is not UNSET:
            field_dict["trainer"] = trainer
        if name is not UNSET:
            field_dict["name"] = name
        if trigger_word is not UNSET:
            field_dict["trigger_word"] = trigger_word
        if params is not UNSET:
            field_dict["params"] = params
        if start is not UNSET:
            field_dict["start"] = start
        if resume_from_model_id is not UNSET:
            field_dict["resume_from_model_id"] = resume_from_model_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.training_create_metadata import TrainingCreateMetadata  # noqa: PLC0415
        from ..models.training_create_params import TrainingCreateParams  # noqa: PLC0415

        d = dict(src_dict)
        dataset_id = d.pop("dataset_id")

        _metadata = d.pop("metadata", UNSET)
        metadata: TrainingCreateMetadata | Unset
        if isinstance(_metadata, Unset):
            metadata = UNSET
        else:
            metadata = TrainingCreateMetadata.from_dict(_metadata)

        def _parse_end_user(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        end_user = _parse_end_user(d.pop("end_user", UNSET))

        base_model_id = d.pop("base_model_id", UNSET)

        _trainer = d.pop("trainer", UNSET)
        trainer: TrainingCreateTrainer | Unset
        if isinstance(_trainer, Unset):
            trainer = UNSET
        else:
            trainer = TrainingCreateTrainer(_trainer)

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        def _parse_trigger_word(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        trigger_word = _parse_trigger_word(d.pop("trigger_word", UNSET))

        _params = d.pop("params", UNSET)
        params: TrainingCreateParams | Unset
        if isinstance(_params, Unset):
            params = UNSET
        else:
            params = TrainingCreateParams.from_dict(_params)

        start = d.pop("start", UNSET)

        def _parse_resume_from_model_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        resume_from_model_id = _parse_resume_from_model_id(d.pop("resume_from_model_id", UNSET))

        training_create = cls(
            dataset_id=dataset_id,
            metadata=metadata,
            end_user=end_user,
            base_model_id=base_model_id,
            trainer=trainer,
            name=name,
            trigger_word=trigger_word,
            params=params,
            start=start,
            resume_from_model_id=resume_from_model_id,
        )

        return training_create
