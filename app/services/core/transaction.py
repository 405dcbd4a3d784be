"""Transaction scope and paging shared by the use cases."""
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass

from sqlalchemy import func, literal_column, select

from app.errors import ValidationFailedError
from app.extensions import db

OPEN = "fulfilment.transaction_open"  # marker in session.info while a transaction() scope runs
# a listing's rows are counted up to here; past it `total` is this lower bound (docs/decisions.md, "Keyset pagination")
COUNT_LIMIT = 1_000


class NestedTransactionError(RuntimeError):
    """A programming error: a use case opened transaction() inside another one."""


@contextmanager
def transaction(readonly: bool = False):
    """One use case = one transaction: commit on success, roll back on any error, always close.

    `readonly` use cases do not take SQLite's write lock (a plain BEGIN; WAL readers see a snapshot).
    Scopes do not nest: the outer use case owns the one transaction (NestedTransactionError)."""
    session = db.session()
    if session.info.get(OPEN):
        raise NestedTransactionError("transaction() opened inside another transaction(); "
                                     "call the inner use case's helpers with the outer session instead")
    session.info[OPEN] = True
    try:
        with _scope(session, readonly):
            yield session
    finally:
        session.info.pop(OPEN, None)


@contextmanager
def _scope(session, readonly: bool):
    with nullcontext() if readonly else db.writer():
        if readonly:
            session.connection(execution_options={"readonly": True})
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()


@dataclass(frozen=True)
class Page:
    items: list
    total: int  # the exact number of matching rows, or COUNT_LIMIT when more match (total_exact False)
    page: int
    page_size: int
    next_after: str | None = None  # the cursor of the rows after this page; None: this page is the last
    keyset: bool = False  # the page was asked for with a cursor (`after`), not by number
    total_exact: bool = True
    more: bool = False  # rows follow this page


def paginate(session, query, page: int, page_size: int, present, keyset=None, after: str | None = None,
             count_query=None) -> Page:
    """Run `query` for one page; `present` maps rows to items. The caller orders the query, or a `keyset`
    (core/keyset.py) does, and then `after` (a cursor) starts the page after a row instead of at `page`.
    `count_query` (the same rows, written to be counted) gives the total when the caller has one."""
    if keyset is not None:
        query = query.order_by(*keyset.order_by())
    total = count_up_to(session, count_query if count_query is not None else query, COUNT_LIMIT)
    if after is not None:
        if page != 1:
            raise ValidationFailedError({"after": ["give either page or after, not both"]})
        query = query.where(keyset.after(after))
    rows = session.scalars(query.limit(page_size + 1).offset((page - 1) * page_size)).all()  # +1: more follow?
    more, rows = len(rows) > page_size, rows[:page_size]
    next_after = keyset.cursor(rows[-1]) if keyset is not None and more else None
    return Page([present(r) for r in rows], min(total, COUNT_LIMIT), page, page_size, next_after, after is not None,
                total <= COUNT_LIMIT, more)


def count_up_to(session, query, limit: int) -> int:
    """How many rows `query` gives, counting no further than limit + 1 (the count stops reading there)."""
    rows = query.order_by(None).with_only_columns(literal_column("1"), maintain_column_froms=True)
    return session.scalar(select(func.count()).select_from(rows.limit(limit + 1).subquery()))
