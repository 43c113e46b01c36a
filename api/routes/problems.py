"""``/problems/{code}``: what a problem document's ``type`` points at — a short page per error code, from the
one catalogue (``api.problem_codes``). HTML for people, JSON for ``Accept: application/json``."""

from __future__ import annotations

from html import escape
from typing import Annotated

from fastapi import APIRouter, Header, Path
from pydantic import BaseModel, Field
from starlette.responses import HTMLResponse, JSONResponse, Response

from api.problem_codes import CATALOGUE, ProblemCode, problem_type
from api.problems import problems
from shared.errors import not_found

router = APIRouter(prefix="/problems", tags=["problems"])


class ProblemCodeOut(BaseModel):
    """One error code."""

    code: str
    type: str = Field(description="The `type` URI problem documents with this code carry.")
    status: int | None = Field(description="The HTTP status; null for a per-file or per-field code.")
    title: str
    description: str


def _out(entry: ProblemCode) -> ProblemCodeOut:
    return ProblemCodeOut(
        code=entry.code,
        type=problem_type(entry.code),
        status=entry.status,
        title=entry.title,
        description=entry.description,
    )


def _wants_json(accept: str | None) -> bool:
    return bool(accept) and "json" in (accept or "") and "text/html" not in (accept or "")


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title} · FotoGen</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:42rem;margin:3rem auto;padding:0 1rem}}
code{{background:#f2f2f2;padding:.1em .3em}}td{{padding:.2em 1em .2em 0;vertical-align:top}}</style></head>
<body>{body}<p><a href="/problems">All error codes</a> · <a href="/docs">API docs</a></p></body></html>
"""


def _row(entry: ProblemCode) -> str:
    status = "" if entry.status is None else str(entry.status)
    return (
        f'<tr><td><a href="{problem_type(entry.code)}"><code>{escape(entry.code)}</code></a></td>'
        f"<td>{status}</td><td>{escape(entry.description)}</td></tr>"
    )


JSON_OR_HTML = {"text/html": {"schema": {"type": "string"}}}
Accept = Annotated[str | None, Header(include_in_schema=False)]


@router.get(
    "",
    operation_id="problems-list",
    summary="Every error code",
    response_model=list[ProblemCodeOut],
    responses={200: {"content": JSON_OR_HTML}},
)
async def list_problem_codes(accept: Accept = None) -> Response:
    """All codes a problem document or a rejected file can carry (JSON with `Accept: application/json`)."""
    entries = sorted(CATALOGUE.values(), key=lambda e: (e.status is None, e.status or 0, e.code))
    if _wants_json(accept):
        return JSONResponse([_out(e).model_dump() for e in entries])
    body = "<h1>FotoGen error codes</h1><table>" + "".join(_row(e) for e in entries) + "</table>"
    return HTMLResponse(_PAGE.format(title="Error codes", body=body))


@router.get(
    "/{code}",
    operation_id="problems-get",
    summary="One error code",
    response_model=ProblemCodeOut,
    responses={200: {"content": JSON_OR_HTML}, **problems(404)},
)
async def get_problem_code(
    code: Annotated[str, Path(max_length=64, description="The problem's `code`.")], accept: Accept = None
) -> Response:
    """The page a problem's `type` points at. 404 `problem_not_found` for a code that does not exist."""
    entry = CATALOGUE.get(code)
    if entry is None:
        raise not_found("problem", code[:64])
    if _wants_json(accept):
        return JSONResponse(_out(entry).model_dump())
    status = "" if entry.status is None else f"<p>HTTP status <b>{entry.status}</b></p>"
    body = (
        f"<h1>{escape(entry.title)}</h1><p><code>{escape(entry.code)}</code></p>{status}"
        f"<p>{escape(entry.description)}</p>"
    )
    return HTMLResponse(_PAGE.format(title=escape(entry.title), body=body))
