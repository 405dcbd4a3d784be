"""Statements built once for rows read by id, a batch's orders in one read, and the rows a session holds
unflushed.

Building `select(...).where(column.in_(ids))` costs about as much as running it, so hot statements are
module constants whose lists are bound when they run (`any_of`). The session's identity map holds rows
weakly: a caller that loads a batch's orders to use them later keeps the dict `orders_by_id` returns
while it works, or each later `session.get` reads its order again."""
from collections.abc import Iterable

from sqlalchemy import bindparam, select

from app.models import Order


def any_of(column, name: str = "ids"):
    """`column IN :name`, the list given when the statement runs (any length, one statement)."""
    return column.in_(bindparam(name, expanding=True))


ORDERS_BY_ID = select(Order).where(any_of(Order.id))


def orders_by_id(session, ids: Iterable[str | None]) -> dict[str, Order]:
    """The orders of `ids` (None and repeats skipped), by id, in one statement."""
    wanted = [i for i in dict.fromkeys(ids) if i is not None]
    return {o.id: o for o in session.scalars(ORDERS_BY_ID, {"ids": wanted})} if wanted else {}


def held(session, model, **columns) -> list:
    """The `model` rows this session added or changed and has not flushed yet whose attributes equal `columns`:
    what a query under `no_autoflush` does not see, for a reader that would rather not flush."""
    return [row for row in (*session.new, *session.dirty) if isinstance(row, model)
            and all(getattr(row, name) == value for name, value in columns.items())]
