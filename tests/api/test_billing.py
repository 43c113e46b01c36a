"""Policy, end users, credits and the ledger through the real API and a real Postgres."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from support.factories import owner_of
from support.problems import assert_problem

from shared.billing import admit, settle
from shared.billing.errors import InsufficientCredits


async def _ledger(client: httpx.AsyncClient, end_user: str) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    after = None
    while True:
        r = await client.get(
            f"/v1/end-users/{end_user}/ledger", params={"limit": 3, **({"after": after} if after else {})}
        )
        assert r.status_code == 200, r.text
        page = r.json()
        entries += page["data"]
        if not page["has_more"]:
            return entries
        after = page["next_cursor"]


async def test_policy_defaults_and_put_replaces_the_document(authed: httpx.AsyncClient) -> None:
    r = await authed.get("/v1/policy")
    assert r.status_code == 200
    defaults = r.json()
    assert defaults == {
        "prices": {"generation_image": 1, "training": 20, "mesh_item": 5, "video": 10},
        "credits_required": False,
        "limits": {
            "generation_images_per_day": None,
            "trainings_per_month": None,
            "videos_per_day": None,
            "mesh_items_per_day": None,
            "concurrent_jobs": None,
        },
        "moderation": {"blocked_terms": [], "force_safety_checker": False, "withhold_nsfw_images": False},
    }
    r = await authed.put("/v1/policy", json={"prices": {"training": 50}, "limits": {"concurrent_jobs": 2}})
    assert r.status_code == 200, r.text
    assert r.json()["prices"] == {**defaults["prices"], "training": 50}
    assert r.json()["limits"]["concurrent_jobs"] == 2
    # A second PUT replaces: what it leaves out goes back to the defaults.
    r = await authed.put("/v1/policy", json={"credits_required": True})
    assert r.status_code == 200
    assert (await authed.get("/v1/policy")).json() == {**defaults, "credits_required": True}


async def test_policy_refuses_unknown_members_and_bad_values(authed: httpx.AsyncClient) -> None:
    assert_problem(await authed.put("/v1/policy", json={"prices": {"gold": 1}}), 422, "validation_error")
    assert_problem(await authed.put("/v1/policy", json={"limits": {"concurrent_jobs": -1}}), 422)
    assert_problem(await authed.put("/v1/policy", json={"moderation": {"blocked_terms": ["..."]}}), 422)


async def test_policies_and_end_users_are_per_owner(authed: httpx.AsyncClient, other: httpx.AsyncClient) -> None:
    await authed.put("/v1/policy", json={"credits_required": True})
    assert (await other.get("/v1/policy")).json()["credits_required"] is False
    assert (await authed.post("/v1/end-users/alice/credits", json={"amount": 5})).status_code == 201
    assert_problem(await other.get("/v1/end-users/alice"), 404, "end_user_not_found")
    assert (await other.get("/v1/end-users")).json()["data"] == []


async def test_an_end_user_exists_once_credited_and_the_ledger_sums_to_the_balance(
    app: Any, authed: httpx.AsyncClient, api_key: str
) -> None:
    assert_problem(await authed.get("/v1/end-users/bob"), 404, "end_user_not_found")
    assert_problem(await authed.put("/v1/end-users/bob/limits", json={}), 404, "end_user_not_found")
    assert_problem(await authed.get("/v1/end-users/bob/ledger"), 404, "end_user_not_found")
    r = await authed.post("/v1/end-users/bob/credits", json={"amount": 30, "description": "welcome"})
    assert r.status_code == 201, r.text
    grant = r.json()
    assert grant["id"].startswith("led_") and grant["kind"] == "grant" and grant["amount"] == 30
    assert grant["balance_after"] == 30 and grant["description"] == "welcome" and grant["job_id"] is None
    r = await authed.post("/v1/end-users/bob/credits", json={"amount": -4})
    assert r.json()["kind"] == "debit" and r.json()["balance_after"] == 26

    await authed.put("/v1/policy", json={"credits_required": True, "prices": {"generation_image": 2}})
    owner = await owner_of(app, api_key)
    async with app.state.sessionmaker() as session:
        await admit(session, owner, "bob", "generation", "gen_ledger_a", 4)  # 26 - 8 = 18 left
        with pytest.raises(InsufficientCredits) as refused:  # a training costs 20
            await admit(session, owner, "bob", "training", "trn_ledger_b", 1)
        assert refused.value.extensions == {"balance": 18, "required": 20} and refused.value.status_code == 402
        await session.rollback()  # the whole create is undone: nothing reserved
    async with app.state.sessionmaker() as session:
        await admit(session, owner, "bob", "generation", "gen_ledger_a", 4)
        await admit(session, owner, "bob", "generation", "gen_ledger_c", 2)
        await session.commit()
    async with app.state.sessionmaker() as session:
        assert await settle(session, "generation", "gen_ledger_a", "succeeded", delivered_quantity=3)
        assert await settle(session, "generation", "gen_ledger_c", "canceled")
        await session.commit()

    user = (await authed.get("/v1/end-users/bob")).json()
    # 30 - 4 - 8 (reserve) + 2 (1 image not delivered) - 4 (reserve) + 4 (canceled) = 20
    assert user["credits"] == {"balance": 20, "reserved": 0}
    entries = await _ledger(authed, "bob")
    assert sum(e["amount"] for e in entries) == 20
    kinds = sorted((e["kind"], e["job_id"], e["amount"], e["quantity"]) for e in entries if e["job_id"])
    assert kinds == [
        ("capture", "gen_ledger_a", 0, 3),
        ("refund", "gen_ledger_a", 2, 1),
        ("refund", "gen_ledger_c", 4, 2),
        ("reserve", "gen_ledger_a", -8, 4),
        ("reserve", "gen_ledger_c", -4, 2),
    ]
    assert entries[0]["balance_after"] == 20  # newest first


async def test_debit_past_the_balance_is_409_and_changes_nothing(authed: httpx.AsyncClient) -> None:
    await authed.post("/v1/end-users/carol/credits", json={"amount": 3})
    body = assert_problem(
        await authed.post("/v1/end-users/carol/credits", json={"amount": -5}), 409, "insufficient_credits"
    )
    assert body["balance"] == 3 and body["required"] == 5
    assert (await authed.get("/v1/end-users/carol")).json()["credits"]["balance"] == 3
    # A debit of a user never seen creates nothing.
    assert_problem(await authed.post("/v1/end-users/nobody/credits", json={"amount": -1}), 409, "insufficient_credits")
    assert_problem(await authed.get("/v1/end-users/nobody"), 404)
    assert_problem(await authed.post("/v1/end-users/carol/credits", json={"amount": 0}), 422)


async def test_credits_honour_idempotency_keys(authed: httpx.AsyncClient) -> None:
    headers = {"Idempotency-Key": "grant-1"}
    first = await authed.post("/v1/end-users/dave/credits", json={"amount": 7}, headers=headers)
    again = await authed.post("/v1/end-users/dave/credits", json={"amount": 7}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    assert_problem(
        await authed.post("/v1/end-users/dave/credits", json={"amount": 8}, headers=headers),
        409,
        "idempotency_key_reused",
    )
    assert (await authed.get("/v1/end-users/dave")).json()["credits"]["balance"] == 7


async def test_limit_overrides_inherit_what_they_omit(authed: httpx.AsyncClient) -> None:
    await authed.put("/v1/policy", json={"limits": {"generation_images_per_day": 5, "concurrent_jobs": 2}})
    await authed.post("/v1/end-users/erin/credits", json={"amount": 1})
    r = await authed.put(
        "/v1/end-users/erin/limits", json={"generation_images_per_day": None, "trainings_per_month": 3}
    )
    assert r.status_code == 200, r.text
    user = r.json()
    assert user["limits"] == {
        "generation_images_per_day": None,
        "trainings_per_month": 3,
        "videos_per_day": None,
        "mesh_items_per_day": None,
        "concurrent_jobs": 2,
    }
    assert user["limit_overrides"] == {"generation_images_per_day": None, "trainings_per_month": 3}
    assert user["usage"] == {
        "generation_images_per_day": 0,
        "trainings_per_month": 0,
        "videos_per_day": 0,
        "mesh_items_per_day": 0,
        "concurrent_jobs": 0,
    }
    r = await authed.put("/v1/end-users/erin/limits", json={})
    assert r.json()["limits"]["generation_images_per_day"] == 5 and r.json()["limit_overrides"] == {}
    assert_problem(await authed.put("/v1/end-users/erin/limits", json={"daily": 1}), 422)


async def test_end_users_list_newest_first_with_a_cursor(authed: httpx.AsyncClient) -> None:
    for name in ["u1", "u2", "u3"]:
        await authed.post(f"/v1/end-users/{name}/credits", json={"amount": 1})
    first = (await authed.get("/v1/end-users", params={"limit": 2})).json()
    assert [u["id"] for u in first["data"]] == ["u3", "u2"] and first["has_more"]
    rest = (await authed.get("/v1/end-users", params={"limit": 2, "after": first["next_cursor"]})).json()
    assert [u["id"] for u in rest["data"]] == ["u1"] and not rest["has_more"]
    assert_problem(await authed.get("/v1/end-users", params={"after": "!!"}), 400, "invalid_cursor")


async def test_metrics_count_refusals_and_settled_credits(app: Any, authed: httpx.AsyncClient, api_key: str) -> None:
    def value(text: str, name: str) -> float:
        line = next(ln for ln in text.splitlines() if ln.startswith(name + " ") or ln.startswith(name + "{"))
        return float(line.rsplit(" ", 1)[1])

    before = (await authed.get("/metrics")).text
    await authed.post("/v1/end-users/frank/credits", json={"amount": 5})
    await authed.post("/v1/end-users/frank/credits", json={"amount": -9})  # refused
    await authed.put("/v1/policy", json={"credits_required": True})
    owner = await owner_of(app, api_key)
    async with app.state.sessionmaker() as session:
        await admit(session, owner, "frank", "generation", "gen_metrics_a", 4)
        await settle(session, "generation", "gen_metrics_a", "succeeded", delivered_quantity=1)
        await session.commit()
    after = (await authed.get("/metrics")).text
    assert value(after, "fotogen_credit_refusals_total") == value(before, "fotogen_credit_refusals_total") + 1
    assert value(after, "fotogen_credits_captured_total") - value(before, "fotogen_credits_captured_total") >= 1
    assert value(after, "fotogen_credits_refunded_total") - value(before, "fotogen_credits_refunded_total") >= 3
