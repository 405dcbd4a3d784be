"""transaction() scopes do not nest: the inner call is a programming error and nothing commits."""
import uuid

import pytest
from sqlalchemy import select

from app.models import Principal
from app.services.core.transaction import NestedTransactionError, transaction
from app.services.principals import create_principal


def _exists(name: str) -> bool:
    with transaction(readonly=True) as session:
        return session.scalar(select(Principal.id).where(Principal.name == name)) is not None


def _principal(name: str) -> Principal:
    from app.clock import clock
    return Principal(name=name, role="buyer", token_hash=uuid.uuid4().hex * 2, created_at=clock.now())


def test_a_use_case_inside_a_transaction_raises_and_commits_nothing(app):
    outer, inner = f"outer-{uuid.uuid4().hex[:8]}", f"inner-{uuid.uuid4().hex[:8]}"
    with pytest.raises(NestedTransactionError):
        with transaction() as session:
            session.add(_principal(outer))
            session.flush()
            create_principal(inner, "buyer")
    assert not _exists(outer) and not _exists(inner)


def test_the_error_is_a_programming_error_not_a_client_error(app):
    from app.errors import DomainError
    assert issubclass(NestedTransactionError, RuntimeError)
    assert not issubclass(NestedTransactionError, DomainError)


def test_a_readonly_scope_does_not_nest_either_and_the_next_scope_works(app):
    with pytest.raises(NestedTransactionError):
        with transaction(readonly=True):
            with transaction(readonly=True):
                pass
    name = f"after-{uuid.uuid4().hex[:8]}"
    create_principal(name, "buyer")
    assert _exists(name)
