"""The program around the library: the ``fotogen`` command, ``fotogen dev`` and its embedded servers.

This package runs things, so it may import ``api``, ``worker``, ``sandbox`` and ``shared``; ``shared`` imports
none of them (nor this package).
"""
