from enum import StrEnum


class GenerationCreateSchedulerType0(StrEnum):
    DDIM = "DDIM"
    DPM_2M = "DPM++ 2M"
    DPM_2M_KARRAS = "DPM++ 2M Karras"
    DPM_2M_SDE = "DPM++ 2M SDE"
    DPM_2M_SDE_KARRAS = "DPM++ 2M SDE Karras"
    EULER = "Euler"
    EULER_A = "Euler A"
    EULER_TRAILING_TIMESTEPS = "Euler (trailing timesteps)"
    LCM = "LCM"
    LCM_TRAILING_TIMESTEPS = "LCM (trailing timesteps)"
    TCD = "TCD"

    def __str__(self) -> str:
        return str(self.value)
