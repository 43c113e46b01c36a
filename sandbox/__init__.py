"""Fal sandbox: a local HTTPS server speaking Fal's queue protocol, for ``fotogen dev`` and the tests.

Public API: :func:`create_sandbox_app`, :class:`SandboxConfig`, :func:`serve` / :func:`run`,
and ``sandbox.testing.start_sandbox`` for tests.

Knobs: :class:`SandboxConfig` (``FAL_SANDBOX_*`` env, ``PATCH /_sandbox/config``). Inputs are validated
against Fal's published schemas (``sandbox.schemas``); magic words in any string input produce outcomes
on demand (``sandbox.magic``).
"""

from sandbox.app import create_sandbox_app
from sandbox.config import SandboxConfig
from sandbox.server import run, sandbox_url, serve
from sandbox.signing import JWKS_PATH
from sandbox.tls import CertPaths, ensure_certificates

__all__ = [
    "JWKS_PATH",
    "CertPaths",
    "SandboxConfig",
    "create_sandbox_app",
    "ensure_certificates",
    "run",
    "sandbox_url",
    "serve",
]
