"""Generations: images from base and trained (LoRA) models, copied into our storage with thumbnails.

API side in :mod:`shared.generations.service`, the worker pipeline in :mod:`shared.generations.jobs`.
"""
