"""Datasets and their images: CRUD, the upload pipeline (``service.upload_images``)."""
