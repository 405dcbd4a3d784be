"""Test data made through the services (never by building rows), so Order's and Principal's columns
are known in one place: the services. Used by the conftest fixtures; usable from any test with the app."""
import json
import uuid
from contextlib import contextmanager
from functools import cache


class Principal:
    def __init__(self, name: str, role: str, token: str, review_role: str | None = None):
        self.name, self.role, self.token, self.review_role = name, role, token, review_role

    @property
    def actor(self):
        from app.actors import Actor
        return Actor(self.name, self.role, self.review_role)


def principal(role: str, review_role: str | None = None, name: str | None = None,
              tenant: str | None = None) -> Principal:
    """A new principal (unique name unless given; of a store tenant if given) with its token. Inside a test
    that rolls back, an unnamed one without a tenant is lent from POOL: no test before it left a trace on it."""
    lent = POOL.lend(role, review_role) if name is None and tenant is None else None
    return lent or _created(role, review_role, name or f"{role}-{uuid.uuid4().hex[:8]}", tenant)


def _created(role: str, review_role: str | None, name: str, tenant: str | None) -> Principal:
    from app.services.principals import create_principal
    created = create_principal(name, role, review_role, tenant)
    return Principal(name, role, created["token"], review_role)


class PrincipalPool:
    """Principals committed once per test process and lent again to every test that rolls back.

    Creating a principal was a sixth of the API tests' time (7,500 of them, 1.6 ms each). A test that
    rolls back leaves nothing behind, so the next one may meet the same principals as strangers; tests
    with real commits (live, committed, module fixtures) leave orders and tasks behind and always get
    new ones. Past SIZE of one role in one test, principal() creates inside the test, as before."""

    SIZE = 4

    def __init__(self):
        self._free: dict[tuple, list[Principal]] | None = None
        self._lent: dict[tuple, int] | None = None  # None: no test is borrowing

    def fill(self) -> None:
        """Commit the pool's principals (before the test's outer transaction, which holds the writer)."""
        from app.actors import REVIEW_ROLES, REVIEWER, ROLES
        if self._free is None:
            keys = [(role, None) for role in ROLES if role != REVIEWER] + [(REVIEWER, r) for r in REVIEW_ROLES]
            self._free = {key: [self._new(*key) for _ in range(self.SIZE)] for key in keys}

    @staticmethod
    def _new(role: str, review_role: str | None) -> Principal:
        return _created(role, review_role, f"{review_role or role}-{uuid.uuid4().hex[:8]}", None)

    @contextmanager
    def lending(self):
        """During one test that rolls back: principal() lends the pool's principals, each once."""
        self.fill()
        self._lent = {}
        try:
            yield
        finally:
            self._lent = None

    def names(self) -> set[str]:
        """Every pooled principal's name (filled first)."""
        self.fill()
        return {p.name for group in self._free.values() for p in group}

    def lend(self, role: str, review_role: str | None) -> Principal | None:
        if self._lent is None:
            return None
        key = (role, review_role)
        taken = self._lent.get(key, 0)
        if taken >= len(self._free.get(key, ())):
            return None
        self._lent[key] = taken + 1
        return self._free[key][taken]


POOL = PrincipalPool()


def order_body(buyer: str, seller: str, **product) -> dict:
    """A valid paid manual-service order as POST /orders takes it; `product` overrides product fields."""
    return {
        "order_no": f"CS{uuid.uuid4().hex[:16]}", "buyer": buyer, "seller": seller,
        "product": {"name": "Data migration", "spec": "Standard", "delivery_type": "manual_service",
                    "manual_kind": "standard", "license_mode": None, "goods_class": "general",
                    "scenario": "none", "supervised": True, **product},
        "billing": {"mode": "periodic", "period": "P1M"},
        "amount_paid": "1000.00",
        "paid_at": "2026-01-05T08:00:00+00:00",
        "recipient": {"name": "Alice", "phone": "+8613800000000", "address": "Shenzhen"},
    }


@cache
def _schema(name: str):
    """One instance of an order schema (building one costs about as much as a dump with it)."""
    from app.schemas import orders
    return getattr(orders, name)()


def _loaded(body: dict) -> dict:
    return _schema("OrderCreateSchema").load(json.loads(json.dumps(body)))


def _wire(order: dict) -> dict:
    """A service's order as the API sends it (OrderSchema, then JSON)."""
    return json.loads(json.dumps(_schema("OrderSchema").dump(order)))


def place_order(platform: Principal, body: dict) -> dict:
    """Place `body` (a POST /orders body) through app.services.fulfilment.orders.place_order; the order
    resource as the platform gets it in the 201."""
    from app.services.fulfilment.orders import place_order as place
    order, created = place(platform.actor, _loaded(body))
    assert created, f"order_no {body['order_no']} existed already"
    return _wire(order)


def saas_orders(seller: Principal, count: int) -> list[dict]:
    """`count` auto-delivered (unsupervised) SaaS orders of `seller`, one new buyer and platform for them all:
    each announces `order.placed`, which the relay turns into a newInstance callback when the seller has an
    interface."""
    buyer, platform = principal("buyer"), principal("platform")
    return [place_order(platform, order_body(buyer.name, seller.name, delivery_type="saas", supervised=False))
            for _ in range(count)]


def place_order_on(platform: Principal, key: str, body: dict, without: tuple[str, ...] = ()) -> str:
    """Place `body` on the current version of process `key` (one no routing rule leads to); the order id.

    As place_order, with the services' own order (orders._new_order) and start data, but the process
    started is `key` instead of the routed one; `without` names start data left out (an order started
    before the platform seeded those names)."""
    from app.services.core import audit
    from app.services.core.process_data import ROUTING_FACTS
    from app.services.core.runtime import start_instance
    from app.services.core.transaction import transaction
    from app.services.fulfilment.orders import _new_order, start_data
    loaded = _loaded(body)
    with transaction() as session:
        order = _new_order(loaded, "0" * 64, platform.actor)
        session.add(order)
        session.flush()
        audit.record(session, order.id, platform.actor, "order_placed",
                     data={"order_no": order.order_no, "amount_paid": str(order.amount_paid)})
        facts = {name: order.product.get(name) for name in ROUTING_FACTS}
        data = {name: value for name, value in start_data(order, facts).items() if name not in without}
        start_instance(session, order, key, data=data)
        return order.id
