"""Reject loops: per-action latency and stored state size after 0 to 300 deliver/reject rounds.

    python bench/reject_loops.py [--rounds 300] [--database-url postgresql://postgres@127.0.0.1:5432/test]

One manual-service order (the shipped general flow) over real HTTP (waitress on 127.0.0.1, the
Testing settings, a fresh database), driven through ROUNDS rounds of seller `deliver` / buyer
`reject`, then a final deliver and the buyer's accept. Prints, for rounds 1-10 (the baseline of
this same run) and for the last ten rounds, the median latency of a deliver and of a reject, their
ratio, and the serialized state size of the order's process instance at 0/10/100/300 rounds.
Before loops were folded the state grew by ~1.6 KB a round and the 250th delivery completed the order.
"""
import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.actions import FreshDatabase, Party, Server, build_app, order_body  # noqa: E402

CHECKPOINTS = (0, 10, 100, 300)


def state_size(order_id: str) -> int:
    from sqlalchemy import select
    from app.models import ProcessInstance
    from app.services.core.transaction import transaction
    with transaction(readonly=True) as session:
        state = session.scalars(select(ProcessInstance.state).where(ProcessInstance.order_id == order_id)).one()
        return len(json.dumps(state))


def drive(base: str, rounds: int) -> tuple[list[float], list[float], dict, str]:
    """(deliver latencies, reject latencies, state size by round, final status)."""
    import requests
    from app.extensions import runtime
    http = requests.Session()
    buyer, seller, platform = Party("buyer"), Party("seller"), Party("platform")
    body = order_body(buyer.name, seller.name, runtime.clock.now() - timedelta(days=1))
    order = http.post(f"{base}/api/v1/orders", json=body, headers=platform.headers).json()
    proof, requirement = (http.post(f"{base}/api/v1/attachments", headers=who.headers,
                                    files={"file": ("p.pdf", b"proof", "application/pdf")}).json()["id"]
                          for who in (seller, buyer))

    def act(who, action, data, attachments=()):
        started = time.perf_counter()
        response = http.post(f"{base}/api/v1/orders/{order['id']}/actions/{action}", headers=who.headers,
                             json={"data": data, "attachments": list(attachments)})
        assert response.status_code == 200, response.text
        return time.perf_counter() - started, response.json()

    act(buyer, "submit_requirement", {"description": "Migrate 2 TB"}, [requirement])
    delivers, rejects, sizes = [], [], {}
    for n in range(rounds + 1):
        if n in CHECKPOINTS:
            sizes[n] = state_size(order["id"])
        if n == rounds:
            break
        delivers.append(act(seller, "deliver", {"note": f"round {n}"}, [proof])[0])
        rejects.append(act(buyer, "reject", {"reason": f"not yet {n}"})[0])
    act(seller, "deliver", {"note": "final"}, [proof])
    return delivers, rejects, sizes, act(buyer, "accept", {})[1]["status"]


def report(delivers, rejects, sizes, status, rounds: int) -> None:
    print(f"\n{rounds} rounds of deliver/reject, then deliver + accept: final status {status!r}")
    print(f"  {'action':<10}{'rounds 1-10 p50 ms':>20}{f'rounds {rounds - 9}-{rounds} p50 ms':>24}{'ratio':>8}")
    for name, samples in (("deliver", delivers), ("reject", rejects)):
        first, last = statistics.median(samples[:10]) * 1e3, statistics.median(samples[-10:]) * 1e3
        print(f"  {name:<10}{first:>20.2f}{last:>24.2f}{last / first:>8.2f}")
    print("  state size (bytes of JSON) after " + ", ".join(f"{n} rounds: {b:,}" for n, b in sizes.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--database-url", help="postgresql://...: a fresh database is created next to it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        database = FreshDatabase(args.database_url, Path(tmp))
        try:
            print(f"database: {database.label}")
            server = Server(build_app(database.url, Path(tmp)), threads=4)
            try:
                report(*drive(server.base, args.rounds), args.rounds)
            finally:
                server.close()
        finally:
            database.drop()


if __name__ == "__main__":
    main()
