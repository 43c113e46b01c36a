from enum import StrEnum


class ModeOutName(StrEnum):
    IMAGE_TO_IMAGE = "image_to_image"
    IMAGE_TO_VIDEO = "image_to_video"
    INPAINTING = "inpainting"
    TEXT_TO_IMAGE = "text_to_image"

    def __str__(self) -> str:
        return str(self.value)
