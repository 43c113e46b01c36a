"""The product's job kinds. Adding a kind: declare it in its domain's ``jobs`` module and list it here."""

from __future__ import annotations

from shared.generations.jobs import GENERATION
from shared.jobs.registry import JobRegistry
from shared.meshes.jobs import MESH
from shared.trainings.jobs import TRAINING
from shared.videos.jobs import VIDEO

KINDS = JobRegistry([TRAINING, GENERATION, MESH, VIDEO])
