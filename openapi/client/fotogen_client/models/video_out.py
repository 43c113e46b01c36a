from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.video_out_status import VideoOutStatus

if TYPE_CHECKING:
    from ..models.image_ref import ImageRef
    from ..models.job_error import JobError
    from ..models.video_file import VideoFile
    from ..models.video_out_metadata import VideoOutMetadata
    from ..models.video_params import VideoParams


T = TypeVar("T", bound="VideoOut")


@_attrs_define
class VideoOut:
    """
    Attributes:
        metadata (VideoOutMetadata): Your own key/value pairs (strings; at most 20 keys, a key at most 40 characters, a
            value at most 500). Returned as given; lists filter with `?metadata[key]=value`.
        end_user (None | str): Your app's id for the person who asked (at most 128 characters); lists filter with
            `?end_user=`.
        id (str):
        status (VideoOutStatus):
        model_id (str):
        image (ImageRef): Exactly one of `upload_id`, `dataset_image_id`, `generation_image_id`.
        params (VideoParams):
        video (None | VideoFile): Once succeeded.
        seed (int | None): The seed the provider used (known once succeeded).
        error (JobError | None):
        created_at (datetime.datetime):
        started_at (datetime.datetime | None):
        finished_at (datetime.datetime | None):
    """

    metadata: VideoOutMetadata
    end_user: None | str
    id: str
    status: VideoOutStatus
    model_id: str
    image: ImageRef
    params: VideoParams
    video: None | VideoFile
    seed: int | None
    error: JobError | None
    created_at: datetime.datetime
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.job_error import JobError  # noqa: PLC0415
        from ..models.video_file import VideoFile  # noqa: PLC0415

        metadata = self.metadata.to_dict()

        end_user: None | str
        end_user = self.end_user

        id = self.id

        status = self.status.value

        model_id = self.model_id

        image = self.image.to_dict()

        params = self.params.to_dict()

        video: dict[str, Any] | None
        if isinstance(self.video, VideoFile):
            video = self.video.to_dict()
        else:
            video = self.video

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

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "metadata": metadata,
                "end_user": end_user,
                "id": id,
                "status": status,
                "model_id": model_id,
                "image": image,
                "params": params,
                "video": video,
                "seed": seed,
                "error": error,
                "created_at": created_at,
                "started_at": started_at,
                "finished_at": finished_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.image_ref import ImageRef  # noqa: PLC0415
        from ..models.job_error import JobError  # noqa: PLC0415
        from ..models.video_file import VideoFile  # noqa: PLC0415
        from ..models.video_out_metadata import VideoOutMetadata  # noqa: PLC0415
        from ..models.video_params import VideoParams  # noqa: PLC0415

        d = dict(src_dict)
        metadata = VideoOutMetadata.from_dict(d.pop("metadata"))

        def _parse_end_user(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        end_user = _parse_end_user(d.pop("end_user"))

        id = d.pop("id")

        status = VideoOutStatus(d.pop("status"))

        model_id = d.pop("model_id")

        image = ImageRef.from_dict(d.pop("image"))

        params = VideoParams.from_dict(d.pop("params"))

        def _parse_video(data: object) -> None | VideoFile:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                video_type_0 = VideoFile.from_dict(data)

                return video_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | VideoFile, data)

        video = _parse_video(d.pop("video"))

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

        video_out = cls(
            metadata=metadata,
            end_user=end_user,
            id=id,
            status=status,
            model_id=model_id,
            image=image,
            params=params,
            video=video,
            seed=seed,
            error=error,
            created_at=created_at,
            started_at=started_at,
            finished_at=finished_at,
        )

        video_out.additional_properties = d
        return video_out

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
