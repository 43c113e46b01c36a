import secrets, time, statistics, sys
from typing import Any
from support.factories import create_owner
import httpx
from shared.billing import enforce, policy as pol
from shared.billing.policy import load_policy
from shared.moderation import check_fields


async def test_prof(app: Any) -> None:
    on_owner, key = await create_owner(app)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://b", headers={"Authorization": f"Bearer {key}"}) as api:
        await api.put("/v1/policy", json={"credits_required": True, "limits": {"generation_images_per_day": 10**6, "concurrent_jobs": 10**6}, "moderation": {"blocked_terms": [f"banned{i}" for i in range(200)]}})
        await api.post("/v1/end-users/u/credits", json={"amount": 10**6})
    t = {k: [] for k in ["policy", "check", "lock", "quota", "record", "commit", "select1"]}
    for i in range(150):
        async with app.state.sessionmaker() as s:
            a = time.perf_counter()
            p = await load_policy(s, on_owner)
            b = time.perf_counter()
            check_fields({"prompt": f"a lighthouse at dusk {i}"}, p.moderation.blocked_terms)
            c = time.perf_counter()
            u = await enforce.lock_end_user(s, on_owner, "u")
            d = time.perf_counter()
            await enforce._check_quota(s, u, "generation", pol.METERS["generation"], enforce.effective_limits(p, u), 1, enforce.utcnow())
            e = time.perf_counter()
            await enforce._record(s, u, ("generation", f"gen_{secrets.token_hex(6)}"), 1, 1, 1, enforce.utcnow())
            f = time.perf_counter()
            from sqlalchemy import text
            await s.execute(text("select 1"))
            g = time.perf_counter()
            await s.commit()
            h = time.perf_counter()
        for k, v in zip(t, [b-a, c-b, d-c, e-d, f-e, h-g, g-f]):
            t[k].append(v)
    print()
    for k, v in t.items():
        print(k, round(statistics.median(v[20:])*1000, 2), "ms")
