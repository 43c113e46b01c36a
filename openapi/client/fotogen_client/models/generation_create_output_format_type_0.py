from enum import StrEnum


class GenerationCreateOutputFormatType0(StrEnum):
    JPEG = "jpeg"
    PNG = "png"

    def __str__(self) -> str:
        return str(self.value)
