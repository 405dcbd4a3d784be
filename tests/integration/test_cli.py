"""`flask principal create`: the token alone on the last line, stored only as a hash."""
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select


def new_name(prefix: str = "cli") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def principal_create(app):
    def run(*args):
        return app.test_cli_runner().invoke(args=["principal", "create", *args])
    return run


def last_line(output: str) -> str:
    return output.rstrip("\n").splitlines()[-1]


def principal_row(query_db, name: str):
    from app.models import Principal
    return query_db(lambda s: s.scalars(select(Principal).where(Principal.name == name)).first())


def test_the_token_is_printed_alone_on_the_last_line(principal_create):
    result = principal_create(new_name(), "--role", "buyer")
    assert result.exit_code == 0, result.output
    token = last_line(result.stdout)
    assert token == token.strip() and " " not in token and len(token) >= 20


def test_the_printed_token_authenticates_over_http(api, principal_create):
    result = principal_create(new_name(), "--role", "seller")
    response = api.get("/api/v1/tasks", last_line(result.stdout))
    assert response.status_code == 200, response.text


def test_a_reviewer_is_created_with_its_review_role(api, principal_create, query_db):
    name = new_name("reviewer")
    result = principal_create(name, "--role", "reviewer", "--review-role", "product_dept")
    assert result.exit_code == 0, result.output
    assert principal_row(query_db, name).review_role == "product_dept"
    assert api.get("/api/v1/tasks", last_line(result.stdout)).status_code == 200


def test_an_admin_token_from_the_cli_may_create_principals_over_http(api, principal_create):
    token = last_line(principal_create(new_name("admin"), "--role", "admin").stdout)
    response = api.post("/api/v1/principals", token, json={"name": new_name(), "role": "buyer"})
    assert response.status_code == 201, response.text


def test_the_principal_table_holds_no_plaintext_token_after_creation(principal_create, query_db):
    from sqlalchemy import text
    token = last_line(principal_create(new_name(), "--role", "ops").stdout)
    rows = query_db(lambda s: s.execute(text("SELECT * FROM principal")).all())
    assert rows and not any(token in str(value) for row in rows for value in row)


def test_a_reviewer_without_a_review_role_fails_and_creates_nothing(principal_create, query_db):
    name = new_name()
    result = principal_create(name, "--role", "reviewer")
    assert result.exit_code != 0
    assert principal_row(query_db, name) is None


def test_an_unknown_role_fails_and_creates_nothing(principal_create, query_db):
    name = new_name()
    result = principal_create(name, "--role", "superuser")
    assert result.exit_code != 0
    assert principal_row(query_db, name) is None


def test_a_duplicate_name_fails_and_keeps_the_first_token(api, principal_create):
    name = new_name()
    first = last_line(principal_create(name, "--role", "buyer").stdout)
    result = principal_create(name, "--role", "buyer")
    assert result.exit_code != 0
    assert api.get("/api/v1/orders", first).status_code == 200


def test_the_role_option_is_required(principal_create):
    assert principal_create(new_name()).exit_code != 0


@pytest.mark.committed
def test_the_real_flask_command_prints_the_token_alone_on_the_last_line_of_stdout(app, api, database_url):
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "DATABASE_URL": database_url, "SCHEDULER_ENABLED": "0", "FLASK_CONFIG": "testing",
           "ATTACHMENT_DIR": app.config["ATTACHMENT_DIR"]}
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "principal", "create", new_name(),
                           "--role", "buyer"], cwd=root, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    token = last_line(done.stdout)
    assert " " not in token
    assert api.get("/api/v1/orders", token).status_code == 200


def _flask(app, database_url, *args):
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "DATABASE_URL": database_url, "SCHEDULER_ENABLED": "0", "FLASK_CONFIG": "testing",
           "ATTACHMENT_DIR": app.config["ATTACHMENT_DIR"]}
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=root, env=env,
                          capture_output=True, text=True, timeout=120)


def test_principal_create_help_lists_every_role(app):
    from app.actors import REVIEW_ROLES, ROLES
    result = app.test_cli_runner().invoke(args=["principal", "create", "--help"])
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert all(role in text for role in ROLES + REVIEW_ROLES)


def test_principal_list_shows_names_and_roles_without_tokens(app, principal_create):
    name = new_name("listed")
    token = last_line(principal_create(name, "--role", "reviewer", "--review-role", "rep_office").stdout)
    result = app.test_cli_runner().invoke(args=["principal", "list"])
    assert result.exit_code == 0, result.output
    assert f"{name}\treviewer\trep_office" in result.output.splitlines()
    assert token not in result.output


def test_principal_rotate_prints_a_new_token_and_the_old_one_stops_working(api, app, principal_create):
    name = new_name("rotated")
    old = last_line(principal_create(name, "--role", "buyer").stdout)
    result = app.test_cli_runner().invoke(args=["principal", "rotate", name])
    assert result.exit_code == 0, result.output
    new = last_line(result.stdout)
    assert new != old and " " not in new
    assert api.get("/api/v1/orders", old).status_code == 401
    assert api.get("/api/v1/orders", new).status_code == 200


def test_rotating_an_unknown_principal_fails(app):
    result = app.test_cli_runner().invoke(args=["principal", "rotate", new_name("nobody")])
    assert result.exit_code != 0 and "no principal named" in result.output


@pytest.mark.committed  # subprocesses write to the database: no open outer transaction may hold it
def test_cli_commands_print_no_alembic_lines_and_do_not_migrate(app, database_url):
    done = _flask(app, database_url, "principal", "list")
    assert done.returncode == 0, done.stderr
    assert "alembic" not in (done.stdout + done.stderr).lower()
    upgraded = _flask(app, database_url, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    assert "alembic" not in (upgraded.stdout + upgraded.stderr).lower()
    assert "database is at the latest revision" in upgraded.stdout
