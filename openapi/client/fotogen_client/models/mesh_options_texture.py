from enum import StrEnum


class MeshOptionsTexture(StrEnum):
    HD = "HD"
    NO = "no"
    STANDARD = "standard"

    def __str__(self) -> str:
        return str(self.value)
