from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.jobs.schemas import JobError as JobError  # re-exported: the mesh service renders errors with it
from shared.metadata import TaggedOut
from shared.models.jobs import MeshItemStatus
from shared.models.jobs import MeshJobStatus as MeshJobStatus  # the API filters by it
from shared.uploads.schemas import RejectedFile

Texture = Literal["no", "standard", "HD"]
MeshFileKind = Literal["model_mesh", "pbr_model", "base_model", "rendered_image"]
MESH_FILE_KINDS: tuple[MeshFileKind, ...] = ("model_mesh", "pbr_model", "base_model", "rendered_image")

MIN_FACE_LIMIT = 1_000
MAX_FACE_LIMIT = 500_000
DEFAULT_FACE_LIMIT = 10_000


class MeshOptions(BaseModel):
    """The multipart form fields of `POST /v1/meshes` (every one optional)."""

    model_config = ConfigDict(extra="forbid")

    face_limit: int = Field(
        default=DEFAULT_FACE_LIMIT,
        ge=MIN_FACE_LIMIT,
        le=MAX_FACE_LIMIT,
        description="Upper bound on the triangle count of each generated mesh.",
    )
    texture: Texture = Field(default="standard", description="Texture quality: `no`, `standard` or `HD`.")
    pbr: bool = Field(default=False, description="Also produce a mesh with PBR materials (`pbr_model`).")
    seed: int | None = Field(
        default=None, ge=0, le=2**31 - 1, description="Geometry seed; the same seed and photo give the same mesh."
    )


class MeshFile(BaseModel):
    kind: MeshFileKind = Field(
        description="`model_mesh` (.glb), `pbr_model` (.glb, with `pbr`), `base_model` (.glb, untextured "
        "geometry) or `rendered_image` (PNG preview) — whichever the provider returned."
    )
    content_type: str
    size_bytes: int
    url: str = Field(description="Short-lived signed download URL.")


class MeshItemOut(BaseModel):
    id: str
    index: int = Field(description="Position of the photo in the upload (0-based, accepted files only).")
    filename: str = Field(description="The uploaded file's name, sanitised for display.")
    status: MeshItemStatus
    error: JobError | None
    files: list[MeshFile]
    started_at: datetime | None
    finished_at: datetime | None


class MeshJobOut(TaggedOut):
    id: str
    status: MeshJobStatus = Field(
        description="`succeeded` once every item ended and at least one succeeded (see each item's status "
        "for partial failures); `failed` only when every item failed."
    )
    progress: float = Field(ge=0, le=1, description="Fraction of items that ended; never goes backwards.")
    options: MeshOptions
    item_count: int
    items: list[MeshItemOut]
    error: JobError | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class MeshJobCreated(MeshJobOut):
    rejected: list[RejectedFile] = Field(description="Uploaded files that were refused, with the reason.")
