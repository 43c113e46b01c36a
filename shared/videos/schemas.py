from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from shared.catalog.modes import VideoParams
from shared.jobs.schemas import JobError
from shared.metadata import TaggedCreate, TaggedOut
from shared.models.videos import VideoStatus as VideoStatus  # the API filters by it
from shared.uploads.references import ImageRef

DEFAULT_VIDEO_MODEL = "mdl_stable_video_diffusion"


class VideoCreate(TaggedCreate):
    model_config = ConfigDict(extra="forbid", protected_namespaces=())

    model_id: str = Field(default=DEFAULT_VIDEO_MODEL, max_length=40, description="A video model.")
    image: ImageRef = Field(description="The first frame: exactly one of `upload_id`, `dataset_image_id`, "
                            "`generation_image_id`.")  # fmt: skip
    motion_bucket_id: int | None = Field(default=None, ge=1, le=255, description="More motion as it grows (127).")
    cond_aug: float | None = Field(default=None, ge=0, le=10, description="Noise added to the image (0.02).")
    fps: int | None = Field(default=None, ge=10, le=100, description="Frames per second of the MP4 (25).")
    seed: int | None = Field(default=None, ge=0, le=2**32 - 1, description="Same seed + image → same video.")


class VideoFile(BaseModel):
    url: str = Field(description="Short-lived signed URL of the stored MP4.")
    poster_url: str = Field(description="Short-lived signed URL of the first frame (WebP).")
    content_type: str
    size_bytes: int
    width: int
    height: int
    frames: int = Field(description="Number of frames in the stored MP4.")
    duration_s: float = Field(description="`frames / fps`.")


class VideoOut(TaggedOut):
    model_config = ConfigDict(protected_namespaces=())

    id: str
    status: VideoStatus
    model_id: str
    image: ImageRef
    params: VideoParams = Field(description="As sent to the provider (defaults filled in).")
    video: VideoFile | None = Field(description="Once succeeded.")
    seed: int | None = Field(description="The seed the provider used (known once succeeded).")
    error: JobError | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
