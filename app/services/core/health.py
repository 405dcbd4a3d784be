from sqlalchemy import text

from app.services.core.transaction import transaction


def check_database() -> str:
    """'ok' when a trivial query succeeds."""
    with transaction(readonly=True) as session:
        session.execute(text("SELECT 1"))
    return "ok"
