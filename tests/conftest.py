"""Shared fixtures: a fresh database per run (SQLite, or PostgreSQL when DATABASE_URL says so),
one app, and a real HTTP server on 127.0.0.1 for the API tests."""
import io
import json
import os
import threading
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests import factories
from tests.factories import Principal, order_body  # noqa: F401 - imported from here by tests


def _fresh_postgres(url: str):
    import psycopg
    parsed = make_url(url)
    name = f"fulfil_test_{uuid.uuid4().hex[:10]}"
    admin = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
        # a throwaway database needs no durability: a commit returns without waiting for the WAL flush
        conn.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    return parsed.set(database=name).render_as_string(hide_password=False), (admin, name)


def _drop_postgres(admin: str, name: str) -> None:
    import psycopg
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def fresh_database(directory, filename: str = "test.db"):
    """The URL of an empty database: a SQLite file in `directory`, or, when DATABASE_URL names a
    PostgreSQL server, a new database there, dropped on exit."""
    given = os.environ.get("DATABASE_URL", "")
    if not given.startswith("postgresql"):
        yield f"sqlite:///{Path(directory) / filename}"
        return
    url, cleanup = _fresh_postgres(given)
    try:
        yield url
    finally:
        _drop_postgres(*cleanup)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    with fresh_database(tmp_path_factory.mktemp("db")) as url:
        yield url


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    from app import create_app
    from config.settings import Testing
    os.environ.update(DATABASE_URL=database_url, ATTACHMENT_DIR=str(tmp_path_factory.mktemp("files")),
                      TEST_CLOCK="1", SCHEDULER_ENABLED="0", FLASK_CONFIG="testing")
    from app.boot import prepare_database
    from app.extensions import state
    built = create_app(Testing())
    prepare_database(built)  # create_app only wires: migrate and deploy bpmn/ as `flask db upgrade` does
    with built.app_context():  # services read the app's state; requests and jobs push their own contexts
        yield built
    state(built).database.engine.dispose()  # before the drop: pooled connections would hold the database


@pytest.fixture(autouse=True)
def _reset_clock():
    yield
    from app.clock import clock
    clock.reset()


LIVE_FIXTURES = {"live_server", "live_api"}


def is_live(request) -> bool:
    """Live tests (marker `live`, or asking for the live server) commit for real and talk HTTP."""
    return request.node.get_closest_marker("live") is not None or bool(LIVE_FIXTURES & set(request.fixturenames))


def commits(request) -> bool:
    """Tests that need real commits: live ones, and those marked `committed` (other connections, processes)."""
    return is_live(request) or request.node.get_closest_marker("committed") is not None


@pytest.fixture(autouse=True)
def _rollback_per_test(request):
    """Every test that uses the app runs inside one outer transaction, rolled back at its end.

    db.session is bound to one connection; each use case's transaction() is a SAVEPOINT in it
    (commit releases it, rollback rolls back to it). Live tests (threads, processes, the browser)
    keep real commits."""
    if "app" not in request.fixturenames or commits(request):
        yield
        return
    request.getfixturevalue("app")
    from app.extensions import db
    with factories.POOL.lending(), savepoint_session(db):
        yield


@contextmanager
def savepoint_session(db):
    """Bind db.session to one connection in an outer transaction; roll it all back afterwards."""
    factory = db.session.session_factory
    saved = dict(factory.kw)
    connection = db.engine.connect()
    outer = connection.begin()
    db.session.remove()
    factory.configure(bind=connection, join_transaction_mode="create_savepoint")
    try:
        yield connection
    finally:
        db.session.remove()
        factory.kw.clear()
        factory.kw.update(saved)
        outer.rollback()
        connection.close()


@pytest.fixture(scope="session")
def live_server(app):
    from werkzeug.serving import make_server
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


class ApiClient:
    """requests against the live server, with a bearer token per call."""

    def __init__(self, base: str):
        import requests
        self.base = base
        self.http = requests.Session()

    def request(self, method: str, path: str, token: str | None = None, **kwargs):
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return self.http.request(method, f"{self.base}{path}", headers=headers, timeout=30, **kwargs)

    def get(self, path, token=None, **kw):
        return self.request("GET", path, token, **kw)

    def post(self, path, token=None, **kw):
        return self.request("POST", path, token, **kw)


class Reply:
    """A Flask test response with the part of requests.Response the tests read."""

    def __init__(self, response):
        self.status_code = response.status_code
        self.headers = response.headers
        self.content = response.get_data()
        response.close()

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    def json(self):
        return json.loads(self.content)


class TestClientApi:
    """ApiClient's interface over Flask's test client: same thread, so inside the test's savepoint."""

    __test__ = False

    def __init__(self, app):
        self.client = app.test_client()

    def request(self, method: str, path: str, token: str | None = None, *, headers=None, params=None,
                json=None, data=None, files=None, timeout=None):
        headers = dict(headers or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if files:
            data = {**(data or {}), **{field: (io.BytesIO(content), name, kind)
                                       for field, (name, content, kind) in files.items()}}
        return Reply(self.client.open(path, method=method, headers=headers, query_string=params,
                                      json=json, data=data))

    def get(self, path, token=None, **kw):
        return self.request("GET", path, token, **kw)

    def post(self, path, token=None, **kw):
        return self.request("POST", path, token, **kw)


@pytest.fixture(scope="session")
def live_api(live_server):
    """HTTP against the live server: for races, slow clients, scale-out, processes and the browser."""
    return ApiClient(live_server)


@pytest.fixture
def api(app, request):
    """The API as the tests call it: Flask's test client, or the live server for live tests."""
    if is_live(request):
        return request.getfixturevalue("live_api")
    return TestClientApi(app)


@pytest.fixture
def make_principal(app):
    """make_principal('buyer') -> a new principal with a unique name and its token."""
    return factories.principal


class Cast:
    """The usual people of one order, each created on first use (a test meets three of them on average;
    creating all eight up front was a quarter of a typical test's set-up)."""

    ROLES = {"buyer": "buyer", "seller": "seller", "platform": "platform", "ops": "ops", "admin": "admin",
             "analyst": "analyst", "other_buyer": "buyer", "other_seller": "seller"}

    def __init__(self, make_principal):
        self._make, self._lock = make_principal, threading.Lock()  # race tests meet them in threads

    def __getattr__(self, name: str) -> Principal:
        if name not in self.ROLES:
            raise AttributeError(name)
        with self._lock:
            if name not in self.__dict__:
                setattr(self, name, self._make(self.ROLES[name]))
        return self.__dict__[name]


@pytest.fixture
def cast(make_principal):
    """The usual people of one order: buyer, seller, platform, ops, admin, analyst, outsiders."""
    return Cast(make_principal)


@pytest.fixture
def place_order(app, cast):
    """place_order(**product) -> the created order resource (as the cast's platform), placed through the
    service (tests/factories.py)."""

    def place(body: dict | None = None, **product) -> dict:
        return factories.place_order(cast.platform, body or order_body(cast.buyer.name, cast.seller.name, **product))

    return place


@pytest.fixture
def upload(api):
    """upload(principal, content=b'...') -> attachment id."""

    def do(principal: Principal, content: bytes = b"evidence", filename: str = "evidence.pdf") -> str:
        response = api.post("/api/v1/attachments", principal.token,
                            files={"file": (filename, content, "application/pdf")})
        assert response.status_code == 201, response.text
        return response.json()["id"]

    return do


@pytest.fixture
def act(api):
    """act(principal, order, action, data=None, attachments=None) -> response."""

    def do(principal: Principal, order: dict, action: str, data: dict | None = None,
           attachments: list | None = None):
        return api.post(f"/api/v1/orders/{order['id']}/actions/{action}", principal.token,
                        json={"data": data or {}, "attachments": attachments or []})

    return do


@pytest.fixture
def walk(act, upload, cast):
    """Drive an order to a node: walk(order, 'confirm_acceptance') -> the order resource there."""

    def do(order: dict, until: str) -> dict:
        steps = [
            ("submit_requirement", cast.buyer, "submit_requirement", {"description": "Migrate 2 TB"}),
            ("deliver", cast.seller, "deliver", {"note": "done"}),
        ]
        current = order
        for node, who, action, data in steps:
            if current["nodes"][0]["id"] == until:
                return current
            response = act(who, current, action, data, [upload(who)])
            assert response.status_code == 200, response.text
            current = response.json()
        assert current["nodes"][0]["id"] == until, current["nodes"]
        return current

    return do


@pytest.fixture
def query_db(app):
    """query_db(fn) -> fn(session) in its own short transaction (committed, then closed).

    Short on purpose: on SQLite every transaction takes the write lock at BEGIN, so a session
    left open across an HTTP call would block the live server."""
    from app.extensions import db

    def run(fn):
        session = db.session()
        try:
            result = fn(session)
            session.commit()
            return result
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()
            db.session.remove()

    return run


# --- API contract helpers (appended for tests/api/test_orders, test_actions, test_tasks, test_authorization) ---

PROBLEM_MEMBERS = ("type", "title", "status", "detail", "code")


@pytest.fixture
def problem():
    """problem(response, status, code) -> the body, after checking it is an RFC 9457 problem document."""

    def check(response, status: int, code: str | None = None) -> dict:
        assert response.status_code == status, response.text
        assert response.headers.get("Content-Type", "").startswith("application/problem+json"), \
            response.headers.get("Content-Type")
        body = response.json()
        missing = [member for member in PROBLEM_MEMBERS if member not in body]
        assert not missing, f"problem document lacks {missing}: {body}"
        assert body["status"] == status, body
        if code is not None:
            assert body["code"] == code, body
        return body

    return check


@pytest.fixture
def clock(api):
    """clock(advance='P6D') or clock(set='2026-03-01T10:00:00+00:00') moves the testing clock; clock() reads it."""

    def move(**change) -> str:
        response = api.post("/api/v1/testing/clock", json=change) if change else api.get("/api/v1/testing/clock")
        assert response.status_code == 200, response.text
        return response.json()["now"]

    return move


@pytest.fixture
def snapshot(api, cast):
    """snapshot(order, *principals) -> what a refused request must leave unchanged: the order's status,
    nodes and task ids, rejection count, history (length and last hash) and the inboxes of the order's
    buyer and seller plus `principals`."""

    def take(order: dict, *inbox_of) -> dict:
        current = api.get(f"/api/v1/orders/{order['id']}", cast.ops.token)
        assert current.status_code == 200, current.text
        events = api.get(f"/api/v1/orders/{order['id']}/history", cast.ops.token)
        assert events.status_code == 200, events.text
        inboxes = {}
        for who in (cast.buyer, cast.seller, *inbox_of):
            response = api.get("/api/v1/tasks", who.token, params={"page_size": 100})
            assert response.status_code == 200, response.text
            inboxes[who.name] = sorted(task["id"] for task in response.json())
        body = current.json()
        return {"status": body["status"], "nodes": [(n["id"], n["task_id"]) for n in body["nodes"]],
                "rejection_count": body["rejection_count"], "frozen": body["frozen"],
                "validity": body["validity"], "events": len(events.json()),
                "last_hash": events.json()[-1]["hash"] if events.json() else None, "inboxes": inboxes}

    return take


# --- Orders on processes no routing rule leads to, and the current version of routed keys
# --- (appended for tests/api/test_definitions, test_migrations, test_order_diagram) ---

@pytest.fixture
def place_order_on(app, api, cast):
    """place_order_on(key, **product) -> the order resource (as ops sees it) of a paid order of the cast's
    buyer and seller running the current version of process `key`.

    No rule of config/routing.json leads to a test's own process key, so, as in
    tests/integration/test_engine_failure.py, the order is inserted and its process started through the
    services (with the start data POST /orders gives); everything after that goes through the HTTP API."""
    def place(key: str, **product) -> dict:
        body = order_body(cast.buyer.name, cast.seller.name, **product)
        if body["product"]["delivery_type"] != "manual_service":
            body["billing"] = {"mode": "one_off"}
        order_id = factories.place_order_on(cast.platform, key, body)
        response = api.get(f"/api/v1/orders/{order_id}", cast.ops.token)
        assert response.status_code == 200, response.text
        return response.json()

    return place


@pytest.fixture
def keep_current_versions(api, cast):
    """keep_current_versions(key): after the test, new orders of `key` get the version they got before it
    (a test that deploys a new version of a routed key must not change what later tests' orders run)."""
    saved = []

    def remember(key: str) -> int:
        response = api.get("/api/v1/process-definitions", cast.analyst.token)
        assert response.status_code == 200, response.text
        version = next(d["current_version"] for d in response.json() if d["key"] == key)
        saved.append((key, version))
        return version

    yield remember
    for key, version in reversed(saved):
        response = api.post(f"/api/v1/process-definitions/{key}/current", cast.analyst.token, json={"version": version})
        assert response.status_code == 200, response.text


# --- Periodic orders after supervision (appended for tests/api/test_renewals*, test_expiry*, test_trials) ---

LIFECYCLE_NOW = "2026-03-02T09:00:00+00:00"  # when `saas` places its order: validity starts then


@pytest.fixture
def saas(place_order, cast, clock):
    """saas(**body changes) -> a paid non-supervised periodic SaaS order, completed at once at NOW
    (validity NOW .. NOW + P1M)."""
    clock(set=LIFECYCLE_NOW)

    def place(**changes):
        product = {"delivery_type": "saas", "manual_kind": None, "supervised": False, **changes.pop("product", {})}
        body = order_body(cast.buyer.name, cast.seller.name, **product)
        body.update(paid_at="2026-03-02T08:00:00+00:00", **changes)
        return place_order(body)

    return place
