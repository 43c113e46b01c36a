from enum import StrEnum


class ModelsListCategoryType0(StrEnum):
    IMAGE = "image"
    VALUE_1 = "3d"
    VIDEO = "video"

    def __str__(self) -> str:
        return str(self.value)
