"""Renewals and trials under concurrency, over real HTTP and real commits (buyer guide §4.3.1.1, §3.1): the
same renewal reported twice at once is one renewal; two trials of one product and spec placed at once are
one trial and one 409 trial_already_used. The orders stay in supervision (never due for the lifecycle jobs
of later tests)."""
import uuid
from datetime import datetime, timezone

import pytest

from tests.api.test_refund_races import ROUNDS, _race
from tests.conftest import order_body


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


@pytest.mark.live
def test_the_same_renewal_racing_itself_is_one_renewal(api, cast, place_order):
    for _ in range(ROUNDS):
        order = place_order()
        body = {"renewal_no": f"RN{uuid.uuid4().hex[:16]}", "period": "P1M", "amount_paid": "100.00",
                "paid_at": _now()}
        path = f"/api/v1/orders/{order['id']}/renewals"
        results = _race(api.base, [(cast.platform.token, path, body)] * 2)
        assert sorted(status for status, _ in results) == [200, 201], results
        assert results[0][1]["id"] == results[1][1]["id"]
        assert len(api.get(f"/api/v1/orders/{order['id']}", cast.buyer.token).json()["renewals"]) == 1


@pytest.mark.live
def test_two_trials_of_one_product_racing_make_one_trial(api, cast):
    for _ in range(ROUNDS):
        product = f"Trial product {uuid.uuid4().hex[:8]}"
        bodies = []
        for _ in range(2):
            body = order_body(cast.buyer.name, cast.seller.name, name=product)
            body.update(trial=True, amount_paid="0.00", paid_at=_now())
            bodies.append((cast.platform.token, "/api/v1/orders", body))
        results = _race(api.base, bodies)
        assert sorted(status for status, _ in results) == [201, 409], results
        assert next(body for status, body in results if status == 409)["code"] == "trial_already_used"
