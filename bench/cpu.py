"""CPU seconds by who spent them, read from Linux's /proc: the benchmark's server processes, every PostgreSQL
process on this machine (backends and its own workers), and the bench process itself (its client threads).
bench/throughput.py divides them by the requests of a row: the machine's CPU per request, which is what
its throughput ceiling is made of. Where /proc is missing (not Linux) every figure is None."""
import os
import time
from pathlib import Path

PROC = Path("/proc")
GROUPS = ("servers", "postgresql", "client")
TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu_of(pid: int | str) -> tuple[str, float] | None:
    """(command name, user + system seconds) of one process, None when it is gone."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    name, rest = text[text.index("(") + 1:text.rindex(")")], text[text.rindex(")") + 2:].split()
    return name, (int(rest[11]) + int(rest[12])) / TICKS  # utime, stime: fields 14 and 15 of stat


def postgres_seconds() -> float:
    """CPU seconds of every process named postgres, so far (a backend gone since is not counted)."""
    found = (_cpu_of(entry.name) for entry in PROC.iterdir() if entry.name.isdigit())
    return sum(seconds for name, seconds in filter(None, found) if name == "postgres")


def uses_postgres(database_url: str) -> bool:
    return database_url.startswith("postgresql")


def budget_ms(per_second: float) -> float:
    """The machine's CPU per unit of work that `per_second` units a second leave, in ms."""
    return (os.cpu_count() or 1) * 1e3 / per_second


class CpuMeter:
    """sample() = cumulative CPU seconds {"servers", "postgresql", "client"} ("postgresql" only when the run
    uses it); per_request() the difference of two samples in ms per request."""

    def __init__(self, server_pids: list[int], database_url: str):
        self.server_pids, self.postgres = server_pids, uses_postgres(database_url)
        self.available = PROC.is_dir()

    def sample(self) -> dict | None:
        if not self.available:
            return None
        own = os.times()
        found = {"servers": sum(found[1] for found in filter(None, map(_cpu_of, self.server_pids))),
                 "client": own.user + own.system}
        return {**found, "postgresql": postgres_seconds()} if self.postgres else found

    @staticmethod
    def per_request(before: dict | None, after: dict | None, requests: int) -> dict | None:
        if before is None or after is None:
            return None
        return {who: (after[who] - before[who]) * 1e3 / requests for who in before}


def cells(per_request: dict | None) -> str:
    """The groups' figures as table cells, `-` for a group not measured."""
    return " | ".join(f"{per_request[who]:.2f}" if who in (per_request or {}) else "-" for who in GROUPS)


def round_trip(url: str, count: int = 2000) -> dict | None:
    """One round trip to PostgreSQL here (`SELECT 1` on an open connection, psycopg, no SQLAlchemy): wall,
    client CPU and its backend's CPU, in µs. The least any statement costs on this machine. None for
    SQLite."""
    if not uses_postgres(url):
        return None
    import psycopg
    with psycopg.connect(url, autocommit=True) as conn:
        backend = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
        first = _cpu_of(backend)
        if first is None:  # not on this machine: its CPU cannot be read
            return None
        began, own = time.perf_counter(), time.process_time()
        for _ in range(count):
            conn.execute("SELECT 1").fetchone()
        wall, client = time.perf_counter() - began, time.process_time() - own
        server = _cpu_of(backend)[1] - first[1]
    return {"wall": wall * 1e6 / count, "client": client * 1e6 / count, "server": server * 1e6 / count}
