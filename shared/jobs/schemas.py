"""Schemas every job kind shares."""

from __future__ import annotations

from pydantic import BaseModel


# Why a job (or one item of a batch job) failed. No docstring: it would become the schema's OpenAPI description.
class JobError(BaseModel):
    code: str
    message: str
