from enum import StrEnum


class ModelOutCategory(StrEnum):
    IMAGE = "image"
    VALUE_1 = "3d"
    VIDEO = "video"

    def __str__(self) -> str:
        return str(self.value)
