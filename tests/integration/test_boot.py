"""create_app() only wires; the entry points migrate and deploy; concurrent deploys of one diagram agree."""
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, inspect, select

ROOT = Path(__file__).resolve().parents[2]


def _python(code: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**os.environ, **env},
                          capture_output=True, text=True, timeout=120)


def test_create_app_touches_no_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'blank.db'}"
    done = _python("from app import create_app; create_app()", {"DATABASE_URL": url, "FLASK_CONFIG": "development",
                                                                "SCHEDULER_ENABLED": "0"})
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "blank.db").exists() or inspect(create_engine(url)).get_table_names() == []


def test_prepare_database_migrates_and_deploys_every_diagram(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    done = _python("from app import boot, create_app; a = create_app(); "
                   "print(sum(c for _, _, c in boot.prepare_database(a)))",
                   {"DATABASE_URL": url, "FLASK_CONFIG": "development", "SCHEDULER_ENABLED": "0"})
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.split()[-1]) == len(list((ROOT / "bpmn").glob("*.bpmn")))
    assert "alembic" not in done.stderr.lower()


def _variant(name: str) -> bytes:
    xml = (ROOT / "bpmn" / "data_file.bpmn").read_bytes()
    return xml.replace(b"</bpmn:definitions>", f"<!-- {name} --></bpmn:definitions>".encode())


@pytest.mark.committed  # the rival runs in another thread on its own connection: real commits
def test_the_loser_of_a_concurrent_deploy_gets_the_winners_row(app, keep_current_versions):
    """On PostgreSQL two processes may insert the same new content at once; the unique constraint
    decides and the loser returns the stored row. (SQLite writers queue at BEGIN IMMEDIATE instead.)"""
    from app.extensions import db
    from app.models import ProcessDefinition
    from app.services.processes.deploy import deploy_once
    if not db.is_postgres:
        pytest.skip("SQLite serializes writers at BEGIN IMMEDIATE: no two deploys overlap")
    xml = _variant(f"race-{os.getpid()}-{id(app)}")
    keep_current_versions("data_file")  # later orders of data_file keep the version they had
    rival = {}

    def win_the_race(session, _context, _instances):  # the rival commits between our lookup and insert
        def rival_deploys():
            with app.app_context():  # a thread of its own: its own app context, session and connection
                rival.update(found=deploy_once(xml, "rival.bpmn"))

        thread = threading.Thread(target=rival_deploys)
        thread.start()
        thread.join()

    event.listen(db.session, "before_flush", win_the_race, once=True)
    key, version, created, sha = deploy_once(xml, "ours.bpmn")
    assert rival["found"][2] is True and created is False
    assert (key, version, sha) == (rival["found"][0], rival["found"][1], rival["found"][3])
    with db.session() as session:
        assert len(session.scalars(select(ProcessDefinition).where(ProcessDefinition.sha256 == sha)).all()) == 1


def test_each_app_holds_its_own_state_read_through_one_accessor(app, tmp_path):
    from app import create_app
    from app.extensions import db, runtime, state
    from config.settings import Testing
    settings = Testing()
    settings.DATABASE_URL = f"sqlite:///{tmp_path / 'other.db'}"
    other = create_app(settings)
    assert state(other).database is not state(app).database and state(other).runtime is not state(app).runtime
    assert state(other).database.engine.url != state(app).database.engine.url
    assert db.engine is state(app).database.engine and runtime.settings is app.config  # the current app's
    with other.app_context():
        assert db.engine is state(other).database.engine and runtime.settings is other.config
    assert db.engine is state(app).database.engine  # building or entering another app changed nothing here
    state(other).database.engine.dispose()


def test_every_scheduler_job_runs_inside_the_app_context(app):
    from flask import current_app, has_app_context
    from app.scheduler import JOBS, _in_context
    assert [job_id for job_id, _, _ in JOBS] == ["fire_due_timers", "settle_refunds", "deliver_callbacks"]
    seen = []
    _in_context(app, "probe", lambda: seen.append(has_app_context() and current_app._get_current_object()))()
    assert seen == [app]
    for job_id, function, trigger in JOBS:
        assert callable(function) and trigger["trigger"] == "interval"
        _in_context(app, job_id, function)()  # a real tick: nothing due, nothing raised
