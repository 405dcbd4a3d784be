"""The buyers' account ledger: a refund credits the buyer's balance once (GET /accounts/me)."""
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select

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
    """The owner's account, locked for this transaction; opened (balance 0) on its first credit."""
    query = select(Account).where(Account.owner == owner).execution_options(populate_existing=True)
    if db.is_postgres:
        query = query.with_for_update()
    account = session.scalars(query).first()
    if account is None:
        now = runtime.clock.now()
        account = Account(owner=owner, balance=Decimal("0.00"), created_at=now, updated_at=now)
        session.add(account)
        session.flush()  # a concurrent first credit loses on uq_account_owner and its settlement retries
    return account


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
