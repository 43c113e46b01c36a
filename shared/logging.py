"""One log stream: structlog's loggers and the stdlib's (uvicorn, arq, httpx, ours) all end in one handler on the
root logger whose ``structlog.stdlib.ProcessorFormatter`` renders every record the same way — one JSON object per
line with ``FOTOGEN_LOG_JSON=true``, coloured console lines otherwise. ``request_id`` is bound per request
(``api.middleware``) and carried into worker jobs, so it appears on every line a request causes.

``logging_config()`` is a ``logging.config.dictConfig`` dict: uvicorn takes it as ``log_config`` and applies it
in each of its worker processes before it logs anything (``fotogen api``).
"""

from __future__ import annotations

import logging
import logging.config
from typing import Any

import structlog

# Loggers of libraries that configure themselves or add handlers: theirs go, ours (the root's) stay.
_LIBRARY_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "arq", "arq.worker", "arq.jobs")


def _shared_processors() -> list[structlog.typing.Processor]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.PositionalArgumentsFormatter(),
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]


def formatter(json: bool = True) -> structlog.stdlib.ProcessorFormatter:
    """The root handler's formatter (also named by ``logging_config`` for uvicorn's processes)."""
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    )
    final: list[structlog.typing.Processor] = [structlog.stdlib.ProcessorFormatter.remove_processors_meta]
    if json:
        final += [structlog.processors.dict_tracebacks]
    return structlog.stdlib.ProcessorFormatter(foreign_pre_chain=_shared_processors(), processors=[*final, renderer])


def logging_config(level: str = "INFO", json: bool = True) -> dict[str, Any]:
    """``dictConfig`` for the stdlib side: one stderr handler on the root, library loggers propagating to it."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"fotogen": {"()": formatter, "json": json}},
        "handlers": {
            "stderr": {"class": "logging.StreamHandler", "formatter": "fotogen", "stream": "ext://sys.stderr"}
        },
        "root": {"handlers": ["stderr"], "level": level.upper()},
        "loggers": {name: {"handlers": [], "propagate": True} for name in _LIBRARY_LOGGERS},
    }


def configure_logging(level: str = "INFO", json: bool = True) -> None:
    """Route structlog and the stdlib through the root handler (safe to call again: it replaces, not adds)."""
    logging.config.dictConfig(logging_config(level, json))
    logging.captureWarnings(True)  # `warnings.warn` lines go through the same formatter
    structlog.configure(
        processors=[
            *_shared_processors(),
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelNamesMapping().get(level.upper(), 20)),
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=True,
    )
