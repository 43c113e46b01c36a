from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.training_out_status import TrainingOutStatus
from ..models.training_out_trainer import TrainingOutTrainer
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.job_error import JobError
    from ..models.provider_ref import ProviderRef
    from ..models.training_out_metadata import TrainingOutMetadata
    from ..models.training_out_params import TrainingOutParams


T = TypeVar("T", bound="TrainingOut")


@_attrs_define
class TrainingOut:
    """
    Attributes:
        metadata (TrainingOutMetadata): Your own key/value pairs (strings; at most 20 keys, a key at most 40 characters,
            a value at most 500). Returned as given; lists filter with `?metadata[key]=value`.
        end_user (None | str): Your app's id for the person who asked (at most 128 characters); lists filter with
            `?end_user=`.
        id (str):
        status (TrainingOutStatus):
        progress (float):
        stage (None | str):
        dataset_id (str):
        base_model_id (str):
        trainer (TrainingOutTrainer):
        name (str):
        trigger_word (None | str):
        params (TrainingOutParams): The trainer's inputs as sent to Fal (validated, Fal's defaults).
        image_count (int):
        model_id (None | str):
        error (JobError | None):
        provider (None | ProviderRef):
        created_at (datetime.datetime):
        started_at (datetime.datetime | None):
        finished_at (datetime.datetime | None):
        resume_from_model_id (None | str | Unset):
    """

    metadata: TrainingOutMetadata
    end_user: None | str
    id: str
    status: TrainingOutStatus
    progress: float
    stage: None | str
    dataset_id: str
    base_model_id: str
    trainer: TrainingOutTrainer
    name: str
    trigger_word: None | str
    params: TrainingOutParams
    image_count: int
    model_id: None | str
    error: JobError | None
    provider: None | ProviderRef
    created_at: datetime.datetime
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None
    resume_from_model_id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.job_error import JobError  # noqa: PLC0415
        from ..models.provider_ref import ProviderRef  # noqa: PLC0415

        metadata = self.metadata.to_dict()

        end_user: None | str
        end_user = self.end_user

        id = self.id

        status = self.status.value

        progress = self.progress

        stage: None | str
        stage = self.stage

        dataset_id = self.dataset_id

        base_model_id = self.base_model_id

        trainer = self.trainer.value

        name = self.name

        trigger_word: None | str
        trigger_word = self.trigger_word

        params = self.params.to_dict()

        image_count = self.image_count

        model_id: None | str
        model_id = self.model_id

        error: dict[str, Any] | None
        if isinstance(self.error, JobError):
            error = self.error.to_dict()
        else:
            error = self.error

        provider: dict[str, Any] | None
        if isinstance(self.provider, ProviderRef):
            provider = self.provider.to_dict()
        else:
            provider = self.provider

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

        resume_from_model_id: None | str | Unset
        if isinstance(self.resume_from_model_id, Unset):
            resume_from_model_id = UNSET
        else:
            resume_from_model_id = self.resume_from_model_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "metadata": metadata,
                "end_user": end_user,
                "id": id,
                "status": status,
                "progress": progress,
                "stage": stage,
                "dataset_id": dataset_id,
                "base_model_id": base_model_id,
                "trainer": trainer,
                "name": name,
                "trigger_word": trigger_word,
                "params": params,
                "image_count": image_count,
                "model_id": model_id,
                "error": error,
                "provider": provider,
                "created_at": created_at,
                "started_at": started_at,
                "finished_at": finished_at,
            }
        )
        if resume_from_model_id is not UNSET:
            field_dict["resume_from_model_id"] = resume_from_model_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.job_error import JobError  # noqa: PLC0415
        from ..models.provider_ref import ProviderRef  # noqa: PLC0415
        from ..models.training_out_metadata import TrainingOutMetadata  # noqa: PLC0415
        from ..models.training_out_params import TrainingOutParams  # noqa: PLC0415

        d = dict(src_dict)
        metadata = TrainingOutMetadata.from_dict(d.pop("metadata"))

        def _parse_end_user(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        end_user = _parse_end_user(d.pop("end_user"))

        id = d.pop("id")

        status = TrainingOutStatus(d.pop("status"))

        progress = d.pop("progress")

        def _parse_stage(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        stage = _parse_stage(d.pop("stage"))

        dataset_id = d.pop("dataset_id")

        base_model_id = d.pop("base_model_id")

        trainer = TrainingOutTrainer(d.pop("trainer"))

        name = d.pop("name")

        def _parse_trigger_word(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        trigger_word = _parse_trigger_word(d.pop("trigger_word"))

        params = TrainingOutParams.from_dict(d.pop("params"))

        image_count = d.pop("image_count")

        def _parse_model_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        model_id = _parse_model_id(d.pop("model_id"))

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

        def _parse_provider(data: object) -> None | ProviderRef:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                provider_type_0 = ProviderRef.from_dict(data)

                return provider_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ProviderRef, data)

        provider = _parse_provider(d.pop("provider"))

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

        def _parse_resume_from_model_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        resume_from_model_id = _parse_resume_from_model_id(d.pop("resume_from_model_id", UNSET))

        training_out = cls(
            metadata=metadata,
            end_user=end_user,
            id=id,
            status=status,
            progress=progress,
            stage=stage,
            dataset_id=dataset_id,
            base_model_id=base_model_id,
            trainer=trainer,
            name=name,
            trigger_word=trigger_word,
            params=params,
            image_count=image_count,
            model_id=model_id,
            error=error,
            provider=provider,
            created_at=created_at,
            started_at=started_at,
            finished_at=finished_at,
            resume_from_model_id=resume_from_model_id,
        )

        training_out.additional_properties = d
        return training_out

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
