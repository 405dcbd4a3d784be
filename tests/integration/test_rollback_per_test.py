"""The per-test savepoint: use cases commit inside it, read-only ones work, and nothing outlives it."""
import uuid

import pytest
from sqlalchemy import select

from tests.conftest import savepoint_session

pytestmark = pytest.mark.committed  # it opens the outer transactions itself


def _names(db) -> set[str]:
    from app.models import Principal
    with db.engine.connect() as connection:
        return set(connection.scalars(select(Principal.name)))


def test_what_a_test_commits_is_gone_after_it(app):
    from app.extensions import db
    from app.services.principals import authenticate, create_principal
    name = f"rolled-{uuid.uuid4().hex[:8]}"
    with savepoint_session(db):
        token = create_principal(name, "buyer")["token"]  # transaction(): a SAVEPOINT, released
        assert authenticate(token).name == name  # transaction(readonly=True) sees it
        with pytest.raises(Exception):
            create_principal(name, "buyer")  # a refused use case rolls back to its savepoint only
        assert authenticate(token).name == name
    assert name not in _names(db)


def test_a_test_client_request_runs_inside_the_savepoint(app):
    from app.extensions import db
    from tests.conftest import TestClientApi
    from app.services.principals import create_principal
    admin = create_principal(f"admin-{uuid.uuid4().hex[:8]}", "admin")  # committed for real
    name = f"rolled-{uuid.uuid4().hex[:8]}"
    with savepoint_session(db):
        response = TestClientApi(app).post("/api/v1/principals", admin["token"], json={"name": name, "role": "seller"})
        assert response.status_code == 201, response.text
    assert name not in _names(db)
    assert admin["name"] in _names(db)
