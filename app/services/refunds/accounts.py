"""The buyers' account ledger: a refund credits the buyer's balance once (GET /accounts/me)."""
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from app.actors import Actor
from app.extensions import db, runtime
from app.models import Account, AccountEntry, Order, Refund
from app.services.core.access import authorize
from app.services.core.transaction import transaction

MAX_ENTRIES = 200  # the newest entries shown with the balance


@dataclass(frozen=True)
class AccountView:
    owner: str
    balance: Decimal
    entries: list[AccountEntry] = field(default_factory=list)


def _locked_account(session, owner: str) -> Account:
    """The owner's account, locked for this transaction; opened (balance 0) on its first credit.

    Two first credits at once both insert with ON CONFLICT DO NOTHING, then both lock the one row."""
    now = runtime.clock.now()
    insert = (postgresql if db.is_postgres else sqlite).insert(Account)
    session.execute(insert.values(owner=owner, balance=Decimal("0.00"), created_at=now, updated_at=now)
                    .on_conflict_do_nothing(index_elements=["owner"]))
    query = select(Account).where(Account.owner == owner).execution_options(populate_existing=True)
    if db.is_postgres:
        query = query.with_for_update()
    return session.scalars(query).one()


def credit(session, order: Order, refund: Refund) -> AccountEntry:
    """Add the refund's amount to the order buyer's balance, as one ledger entry."""
    account = _locked_account(session, order.buyer)
    account.balance = Decimal(account.balance) + Decimal(refund.amount)
    account.updated_at = runtime.clock.now()
    entry = AccountEntry(account_id=account.id, amount=refund.amount, balance_after=account.balance, kind="refund",
                         refund_id=refund.id, order_id=order.id, created_at=account.updated_at,
                         description=f"Refund ({refund.kind}) of order {order.order_no}")
    session.add(entry)
    session.flush()
    return entry


def my_account(actor: Actor) -> AccountView:
    """The caller's balance and ledger entries, newest first."""
    authorize(actor, "accounts.read_own")
    with transaction(readonly=True) as session:
        account = session.scalars(select(Account).where(Account.owner == actor.name)).first()
        if account is None:
            return AccountView(actor.name, Decimal("0.00"))
        entries = session.scalars(select(AccountEntry).where(AccountEntry.account_id == account.id)
                                  .order_by(AccountEntry.id.desc()).limit(MAX_ENTRIES)).all()
        return AccountView(account.owner, account.balance, list(entries))
