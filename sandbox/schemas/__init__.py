"""Fal's published input schemas, one module per endpoint family, as pydantic models (``extra="forbid"``).

Every app of the sandbox validates its input against the model its ``AppSpec`` names; each module cites
the page the fields, ranges and defaults come from.
"""

from sandbox.schemas.common import FalInput, fal_errors, parse_input

__all__ = ["FalInput", "fal_errors", "parse_input"]
