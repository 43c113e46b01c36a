from __future__ import annotations

import json

from scripts.openapi import OUT, render


def test_committed_openapi_is_current() -> None:
    """`openapi/openapi.json` must match the code: run `make openapi` after changing a route or schema."""
    assert OUT.read_text() == render(), "openapi/openapi.json is stale: run `make openapi`"


def test_every_operation_has_a_readable_id_and_documents_errors() -> None:
    doc = json.loads(render())
    seen = set()
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            op_id = op["operationId"]
            assert op_id not in seen, op_id
            seen.add(op_id)
            assert op_id.replace("-", "").isalnum() and op_id.islower(), (path, method, op_id)
            if path.startswith("/v1/") and not path.startswith("/v1/files") and "provider-webhooks" not in path:
                assert "401" in op["responses"], (path, method)


def test_committed_client_is_current() -> None:
    """`openapi/client` must be what openapi-python-client (pinned in openapi/generator) makes of the document:
    run `make openapi` after changing a route or schema."""
    from scripts.openapi import client_drift

    assert client_drift(render()) == [], "openapi/client is stale: run `make openapi`"
