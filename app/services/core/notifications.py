"""Notifications: written in the caller's transaction, readable by their recipient, and handed to the
configured senders (email, SMS; a logging sender in development) once that transaction commits."""
from sqlalchemy import event, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.actors import Actor
from app.errors import NotFoundError
from app.extensions import runtime
from app.models import Notification
from app.services.core import senders
from app.services.core.access import authorize
from app.services.core.transaction import Page, paginate, transaction

_PENDING = "notifications.pending"  # session.info: what to hand to the senders after the commit
_INSERT = {"postgresql": pg_insert, "sqlite": sqlite_insert}


def notify(session, recipient: str, kind: str, message: str, *, order_id: str | None = None,
           ref: str | None = None, dedupe_key: str | None = None) -> bool:
    """Add a notification to the caller's transaction. With `dedupe_key`, a second one for the same
    recipient and key is a no-op (False), also when another process wrote the first."""
    values = dict(recipient=recipient, kind=kind, message=message, order_id=order_id, ref=ref,
                  dedupe_key=dedupe_key, created_at=runtime.clock.now())
    if dedupe_key is None:
        statement = insert(Notification).values(**values)
    else:
        dialect = _INSERT[session.get_bind().dialect.name]
        statement = dialect(Notification).values(**values).on_conflict_do_nothing(
            index_elements=["recipient", "dedupe_key"])
    written = session.execute(statement.returning(Notification.id)).scalar() is not None
    if written:
        session.info.setdefault(_PENDING, []).append(senders.Message(recipient, kind, message))
    return written


@event.listens_for(Session, "after_commit")
def _send_committed(session) -> None:
    for message in session.info.pop(_PENDING, []):
        senders.send(message)


@event.listens_for(Session, "after_rollback")
def _drop_rolled_back(session) -> None:
    session.info.pop(_PENDING, None)


def list_notifications(actor: Actor, unread: bool, page: int, page_size: int) -> Page:
    """The caller's notifications, newest first; `unread` keeps those not yet read."""
    authorize(actor, "notifications.read")
    with transaction(readonly=True) as session:
        query = select(Notification).where(Notification.recipient == actor.name)
        if unread:
            query = query.where(Notification.read_at.is_(None))
        return paginate(session, query.order_by(Notification.id.desc()), page, page_size, lambda n: n)


def mark_read(actor: Actor, notification_id: int) -> Notification:
    """The recipient marks one of theirs read (again: unchanged); anyone else's is not found."""
    authorize(actor, "notifications.read")
    with transaction() as session:
        found = session.scalars(select(Notification).where(Notification.id == notification_id,
                                                           Notification.recipient == actor.name)).first()
        if found is None:
            raise NotFoundError(f"notification {notification_id} not found")
        if found.read_at is None:
            found.read_at = runtime.clock.now()
        return found
