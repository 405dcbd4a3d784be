"""The fuzzer's server: its own process and its own fresh database (SQLite, or PostgreSQL when
DATABASE_URL says so), so what the fuzzer creates never reaches the rest of the suite."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import fresh_database

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def fuzz_database(tmp_path_factory):
    with fresh_database(tmp_path_factory.mktemp("fuzzdb"), "fuzz.db") as url:
        yield url


@pytest.fixture(scope="session")
def fuzz_server(fuzz_database, tmp_path_factory):
    """{"url", "tokens": {role: token}, "ids": {...}} of a seeded server process."""
    env = {**os.environ, "DATABASE_URL": fuzz_database, "FLASK_CONFIG": "testing", "TEST_CLOCK": "0",
           "SCHEDULER_ENABLED": "0", "ATTACHMENT_DIR": str(tmp_path_factory.mktemp("fuzzfiles"))}
    log = (tmp_path_factory.mktemp("fuzzlog") / "server.log").open("w")
    process = subprocess.Popen([sys.executable, "-m", "tests.fuzz.serve"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=log, text=True)
    try:
        yield _announced(process, log.name)
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def _announced(process, log_path: str) -> dict:
    for line in process.stdout:
        if line.startswith("FUZZ-SERVER "):
            return {**json.loads(line.removeprefix("FUZZ-SERVER ")), "log": log_path}
    process.wait(timeout=30)
    raise RuntimeError(f"the fuzz server exited ({process.returncode}): {Path(log_path).read_text()[-3000:]}")
