"""How scheduler jobs take work: the next due rows not yet seen in this run, locked for this transaction.
On PostgreSQL `FOR UPDATE SKIP LOCKED` lets several scheduler processes split the rows without waiting on
each other; SQLite has one writer, so its transaction alone is the claim."""
from app.extensions import db


def claim(session, query, entity, seen: set, limit: int = 1) -> list:
    """Up to `limit` rows of `query` (ordered by the caller) whose id is not in `seen`, claimed."""
    query = query.limit(limit).execution_options(populate_existing=True)
    if seen:
        query = query.where(entity.id.not_in(seen))
    if db.is_postgres:
        query = query.with_for_update(skip_locked=True, of=entity)
    return session.scalars(query).all()
