"""``metadata`` and ``end_user``: the fields every created resource carries, and the list filters on them.

``metadata`` is an object of string → string (Stripe's rule: at most 20 keys, a key 1-40 characters, a value
at most 500). It is returned as given; ``PATCH`` merges it (a key set to ``null`` is removed). ``end_user`` is
the app's own id for the person who asked (at most 128 characters).

Lists filter with ``?metadata[key]=value`` (exact; several keys AND) and ``?end_user=``. Storage and
indexes (:func:`tag_indexes`, one pair per table):

- ``metadata`` is a ``jsonb`` column with a GIN index using ``jsonb_path_ops``; the filter is one
  containment test ``metadata @> '{"k": "v", ...}'``, which that index answers for any set of keys
  (``jsonb_path_ops`` indexes hashes of key/value paths: smaller and faster for ``@>`` than the default
  operator class, which also serves key-existence operators we never use).
- ``end_user`` has a btree on ``(owner_id, end_user, id)``: equality on the first two columns, then the
  rows come in ``id`` order, so a newest-first page is an index range scan that stops after ``limit + 1``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field, ValidationError
from sqlalchemy import Index, Select, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from shared.errors import ValidationFailed

MAX_KEYS = 20
MAX_KEY_CHARS = 40
MAX_VALUE_CHARS = 500
MAX_END_USER_CHARS = 128

METADATA_DESCRIPTION = (
    f"Your own key/value pairs (strings; at most {MAX_KEYS} keys, a key at most {MAX_KEY_CHARS} characters, "
    f"a value at most {MAX_VALUE_CHARS}). Returned as given; lists filter with `?metadata[key]=value`."
)
END_USER_DESCRIPTION = (
    f"Your app's id for the person who asked (at most {MAX_END_USER_CHARS} characters); lists filter with `?end_user=`."
)


def _check_keys(value: dict[str, Any]) -> dict[str, Any]:
    if len(value) > MAX_KEYS:
        raise ValueError(f"at most {MAX_KEYS} keys")
    for key in value:
        if not key or len(key) > MAX_KEY_CHARS:
            raise ValueError(f"keys must be 1-{MAX_KEY_CHARS} characters ({key[:60]!r})")
        if "\x00" in key:
            raise ValueError("keys must not contain NUL")
    return value


Metadata = Annotated[
    dict[str, Annotated[str, Field(max_length=MAX_VALUE_CHARS)]],
    AfterValidator(_check_keys),
    Field(description=METADATA_DESCRIPTION, examples=[{"post_id": "p1"}]),
]
MetadataPatch = Annotated[
    dict[str, Annotated[str | None, Field(max_length=MAX_VALUE_CHARS)]],
    AfterValidator(_check_keys),
    Field(description="Keys to set; a key set to `null` is removed. Other keys are kept (merge)."),
]
EndUser = Annotated[str | None, Field(default=None, min_length=1, max_length=MAX_END_USER_CHARS)]


class TaggedCreate(BaseModel):
    """Fields of a create body (mixed into each resource's ``…Create``)."""

    metadata: Metadata = Field(default_factory=dict, description=METADATA_DESCRIPTION)
    end_user: EndUser = Field(default=None, description=END_USER_DESCRIPTION)


class TaggedOut(BaseModel):
    """Fields of a resource as the API returns it."""

    metadata: dict[str, str] = Field(description=METADATA_DESCRIPTION)
    end_user: str | None = Field(description=END_USER_DESCRIPTION)


def merged(current: dict[str, str], patch: dict[str, str | None]) -> dict[str, str]:
    """``current`` with ``patch`` applied (``None`` removes a key); 422 when the result has too many keys."""
    out = dict(current)
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = value
    if len(out) > MAX_KEYS:
        raise ValidationFailed(
            f"metadata would have {len(out)} keys; at most {MAX_KEYS} are allowed.",
            code="metadata_too_many_keys",
            errors=[{"loc": ["body", "metadata"], "code": "too_many_keys", "detail": f"at most {MAX_KEYS} keys"}],
        )
    return out


class TaggedMixin:
    """The two columns (``metadata`` is ``metadata_`` in Python: declarative models reserve ``metadata``)."""

    metadata_: Mapped[dict[str, str]] = mapped_column(
        "metadata", JSONB, nullable=False, default=dict, server_default="{}"
    )
    end_user: Mapped[str | None] = mapped_column(String(MAX_END_USER_CHARS))


def tag_indexes(table: str) -> tuple[Index, Index]:
    """The GIN (``jsonb_path_ops``) index on ``metadata`` and the btree on ``(owner_id, end_user, id)``."""
    return (
        Index(
            f"ix_{table}_metadata", "metadata", postgresql_using="gin", postgresql_ops={"metadata": "jsonb_path_ops"}
        ),
        Index(f"ix_{table}_owner_end_user", "owner_id", "end_user", "id"),
    )


@dataclass(frozen=True)
class TagFilter:
    """``?metadata[key]=value`` pairs and ``?end_user=`` of one list request."""

    metadata: dict[str, str] = field(default_factory=dict)
    end_user: str | None = None

    def apply(self, stmt: Select[Any], model: Any) -> Select[Any]:
        if self.metadata:
            stmt = stmt.where(model.metadata_.contains(self.metadata))
        if self.end_user is not None:
            stmt = stmt.where(model.end_user == self.end_user)
        return stmt


def _bad_filter(detail: str) -> ValidationFailed:
    return ValidationFailed(
        detail,
        code="invalid_metadata_filter",
        errors=[{"loc": ["query", "metadata"], "code": "invalid", "detail": detail}],
    )


def parse_tag_filter(query: Iterable[tuple[str, str]], end_user: str | None) -> TagFilter:
    """``?metadata[key]=value`` pairs (deepObject style; a key given twice: 422) and ``?end_user=``."""
    wanted: dict[str, str] = {}
    for name, value in query:
        if not name.startswith("metadata"):
            continue
        if not (name.startswith("metadata[") and name.endswith("]")):
            raise _bad_filter(f"Filter by metadata as `metadata[key]=value`, not {name[:60]!r}.")
        key = name[len("metadata[") : -1]
        if not key or len(key) > MAX_KEY_CHARS or "\x00" in key:
            raise _bad_filter(f"Metadata keys are 1-{MAX_KEY_CHARS} characters.")
        if key in wanted:
            raise _bad_filter(f"metadata[{key}] is given twice.")
        if len(value) > MAX_VALUE_CHARS or "\x00" in value:
            raise _bad_filter(f"Metadata values are at most {MAX_VALUE_CHARS} characters.")
        wanted[key] = value
    if len(wanted) > MAX_KEYS:
        raise _bad_filter(f"At most {MAX_KEYS} metadata filters.")
    return TagFilter(metadata=wanted, end_user=end_user)


#: The ``metadata`` query parameter as OpenAPI describes it; list routes add it with
#: ``openapi_extra=METADATA_QUERY`` (FastAPI has no dict-valued query parameters).
METADATA_QUERY: dict[str, Any] = {
    "parameters": [
        {
            "name": "metadata",
            "in": "query",
            "required": False,
            "style": "deepObject",
            "explode": True,
            "schema": {"type": "object", "additionalProperties": {"type": "string", "maxLength": MAX_VALUE_CHARS}},
            "description": "Only resources whose metadata has every given pair: `?metadata[post_id]=p1` (exact "
            "match; several keys AND). 422 `invalid_metadata_filter` for a malformed key.",
        }
    ]
}


def tags_from_form(fields: dict[str, str]) -> TaggedCreate:
    """``metadata`` (a JSON object) and ``end_user`` from multipart form fields, removed from ``fields``."""
    raw = {k: fields.pop(k) for k in ("metadata", "end_user") if k in fields and fields[k].strip()}
    fields.pop("metadata", None)
    fields.pop("end_user", None)
    try:
        if "metadata" in raw:
            return TaggedCreate.model_validate_json(
                '{"metadata": ' + raw["metadata"] + ', "end_user": ' + json.dumps(raw.get("end_user")) + "}"
            )
        return TaggedCreate.model_validate({"end_user": raw.get("end_user")})
    except ValidationError as exc:
        errors = [
            {"loc": ["body", *[str(p) for p in e["loc"]]], "code": e["type"], "detail": e["msg"]} for e in exc.errors()
        ]
        raise ValidationFailed(f"{errors[0]['loc'][-1]}: {errors[0]['detail']}", errors=errors) from None
