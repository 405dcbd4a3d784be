"""Per-app state: each app built by create_app() holds its own Database and Runtime in
`app.extensions["fulfilment"]`; `state(app)` is the one way to read them. Nothing connects at import time.

`db` and `runtime` below are proxies to the current app's state (like Flask's `current_app`), so services
read them inside the app context every request, CLI command and scheduler job runs in; two apps in one
process never share a database or settings. The clock stays process-wide: SpiffWorkflow's timers read it."""
import threading
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from werkzeug.local import LocalProxy
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.orm import scoped_session, sessionmaker

from app.clock import clock
from app.engine import Engine, Limits, install_clock


class Database:
    """The SQLAlchemy engine and a thread-scoped session; services own the transactions."""

    def __init__(self) -> None:
        self.engine = None
        self.session: scoped_session | None = None
        self._sqlite_writer = threading.RLock()

    def init_app(self, app) -> None:
        self.configure(app.config["DATABASE_URL"])
        app.teardown_appcontext(lambda exc: self.session.remove())

    def configure(self, url: str) -> None:
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite":
            self.engine = _sqlite_engine(url, parsed.database)
        else:
            self.engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)
        self.session = scoped_session(sessionmaker(self.engine, expire_on_commit=False))

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def read_row(self, statement, params: dict):
        """The first row of one read statement in an implicit transaction of its own: no BEGIN and COMMIT
        around it (on PostgreSQL, two round trips fewer). For the token lookup every request starts with;
        use cases read in their transaction(). A session bound to one connection (the tests' outer
        transaction) reads in it."""
        bind = self.session.session_factory.kw.get("bind")
        if isinstance(bind, Connection):
            return bind.execute(statement, params).first()
        options = {"isolation_level": "AUTOCOMMIT"} if self.is_postgres else {AUTOCOMMIT_READ: True}
        with self.engine.connect().execution_options(**options) as connection:
            return connection.execute(statement, params).first()

    def writer(self):
        """SQLite: writers of this process queue on a lock (woken at once) instead of SQLite's
        busy handler (sleeps of up to 100 ms); other processes still meet the busy timeout."""
        return self._sqlite_writer if self.engine.dialect.name == "sqlite" else nullcontext()


# SQLite's stand-in for the AUTOCOMMIT isolation level: its connections already run without pysqlite's own
# BEGINs (isolation_level None, below), and SQLAlchemy's reset of AUTOCOMMIT on pysqlite would undo that
AUTOCOMMIT_READ = "fulfilment.autocommit_read"


def _sqlite_engine(url: str, path: str | None):
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # let BEGIN below decide the locking
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        # SQLite has no FOR UPDATE: one writer at a time, taken at the start of the transaction,
        # so two actions on one order run one after the other instead of deadlocking.
        options = connection.get_execution_options()
        if options.get(AUTOCOMMIT_READ):  # one statement, SQLite's implicit transaction (isolation_level None)
            return
        connection.exec_driver_sql("BEGIN" if options.get("readonly") else "BEGIN IMMEDIATE")

    return engine


class Runtime:
    """Settings and the workflow engine, reachable from services without Flask."""

    def __init__(self) -> None:
        self.settings = None
        self.engine: Engine | None = None
        self.clock = clock

    def init_app(self, app) -> None:
        self.settings = app.config
        self.engine = Engine(limits=Limits.from_settings(app.config))
        install_clock(self.clock.now)


@dataclass
class AppState:
    """What one app holds: its database, its runtime, whether its entry point has booted it."""
    database: Database = field(default_factory=Database)
    runtime: Runtime = field(default_factory=Runtime)
    booted: bool = False


EXTENSION = "fulfilment"


def state(app=None, create: bool = False) -> AppState:
    """The per-app state of `app` (default: the current app, so an app context is needed)."""
    if app is None:
        from flask import current_app
        app = current_app._get_current_object()
    if create:
        return app.extensions.setdefault(EXTENSION, AppState())
    return app.extensions[EXTENSION]


db: Database = LocalProxy(lambda: state().database)  # type: ignore[assignment]
runtime: Runtime = LocalProxy(lambda: state().runtime)  # type: ignore[assignment]
