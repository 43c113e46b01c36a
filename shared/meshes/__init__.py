"""Image to 3D: batches of photos turned into meshes through Fal's Tripo3D (``tripo3d/tripo/v2.5/image-to-3d``).

One :class:`~shared.models.MeshJob` per batch and one :class:`~shared.models.MeshItem` per photo; the job
runs on the shared job mechanism (``shared.jobs``): ``service`` is the API side, ``jobs`` the worker side.
"""
