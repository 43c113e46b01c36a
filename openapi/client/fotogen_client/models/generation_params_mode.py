from enum import StrEnum


class GenerationParamsMode(StrEnum):
    IMAGE_TO_IMAGE = "image_to_image"
    INPAINTING = "inpainting"
    TEXT_TO_IMAGE = "text_to_image"

    def __str__(self) -> str:
        return str(self.value)
