"""Schemathesis against the live app, once per role, every check, a bounded time per role.
One worker: with two, CPython 3.11.7 can fail inside hypothesis (concurrent ast.parse: "AST constructor
recursion depth mismatch"), an error of the tool, not of the API.

The server is a separate process on its own seeded database (tests/fuzz/conftest.py); the fuzzer is
schemathesis' own CLI in a subprocess (all phases: examples, coverage, fuzzing, stateful), so the run
is what `st run` reports and the test fails on any failure or error schemathesis reports.
FUZZ_SECONDS (per role, default 12), FUZZ_SEED (default 1) and FUZZ_REPORT_DIR (keep the JSON reports)
tune it; `-m "not fuzz"` skips it."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fuzz.seed import ROLES

SECONDS = os.environ.get("FUZZ_SECONDS", "12")
CONFIG = Path(__file__).with_name("schemathesis.toml")
SEED = os.environ.get("FUZZ_SEED", "1")


def schemathesis_command(url: str, token: str, report: Path) -> list:
    return [sys.executable, "-m", "schemathesis.cli", "--config-file", str(CONFIG), "run", f"{url}/api/openapi.json",
            "--header", f"Authorization: Bearer {token}", "--checks", "all", "--max-time", SECONDS,
            "--seed", SEED, "--workers", "1", "--suppress-health-check", "all", "--request-timeout", "30",
            "--generation-database", "none", "--report", "json", "--report-json-path", str(report), "--no-color"]


def summary(role: str, database: str, report: Path) -> str:
    data = json.loads(report.read_text())
    cases = data["test_cases"]
    failures = {f["code"]: f["count"] for f in data["failures"]}
    return (f"FUZZ role={role} db={database.split(':')[0]} seconds={SECONDS} "
            f"cases={cases['generated']} with_failures={cases['with_failures']} "
            f"unique_failures={cases['unique_failures']} errored={cases['errored']} by_code={failures}")


def server_errors(log_path: str) -> str:
    """The tracebacks the server logged so far (a 5xx's cause), for the failure message."""
    text = Path(log_path).read_text(errors="replace")
    found = text.split("Traceback (most recent call last):")[1:]
    return "server tracebacks:\n" + "\n----\n".join(part[-3000:] for part in found[-3:]) if found else ""


@pytest.mark.fuzz
class FuzzOneRole:
    """One role's run. A class per role (below), so pytest-xdist's --dist loadscope spreads the roles
    over its workers instead of running all of them one after the other on one worker."""

    role = ""

    def test_schemathesis_finds_nothing(self, fuzz_server, fuzz_database, tmp_path):
        keep = os.environ.get("FUZZ_REPORT_DIR")
        report = (Path(keep) if keep else tmp_path) / f"schemathesis-{self.role}.json"
        report.parent.mkdir(parents=True, exist_ok=True)
        run = subprocess.run(schemathesis_command(fuzz_server["url"], fuzz_server["tokens"][self.role], report),
                             capture_output=True, text=True, timeout=600, cwd=tmp_path)  # its cache goes there
        report.with_suffix(".txt").write_text(run.stdout + run.stderr)
        print(summary(self.role, fuzz_database, report))
        assert run.returncode == 0, (f"schemathesis failed as {self.role}:\n{run.stdout[-20000:]}\n"
                                     f"{run.stderr[-3000:]}\n{server_errors(fuzz_server['log'])}")


class TestFuzzAsBuyer(FuzzOneRole):
    role = "buyer"


class TestFuzzAsSeller(FuzzOneRole):
    role = "seller"


class TestFuzzAsPlatform(FuzzOneRole):
    role = "platform"


class TestFuzzAsOps(FuzzOneRole):
    role = "ops"


class TestFuzzAsReviewer(FuzzOneRole):
    role = "reviewer"


class TestFuzzAsAdmin(FuzzOneRole):
    role = "admin"


class TestFuzzAsAnalyst(FuzzOneRole):
    role = "analyst"


def test_every_role_is_fuzzed_once():
    assert sorted(c.role for c in FuzzOneRole.__subclasses__()) == sorted(ROLES)
