from enum import StrEnum


class MeshFileKind(StrEnum):
    BASE_MODEL = "base_model"
    MODEL_MESH = "model_mesh"
    PBR_MODEL = "pbr_model"
    RENDERED_IMAGE = "rendered_image"

    def __str__(self) -> str:
        return str(self.value)
