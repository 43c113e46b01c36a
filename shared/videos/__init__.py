"""Videos: image-to-video with Stable Video Diffusion, the MP4 and a poster frame copied into our storage.

API side in :mod:`shared.videos.service`, the job kind in :mod:`shared.videos.jobs`.
"""
