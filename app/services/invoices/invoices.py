"""Invoice use cases: the buyer applies, returns or withdraws; the issuer (the platform for joint and Huawei
goods, the order's seller for general goods) issues and confirms the return. Each step is logged in the
order's hash-chained history.

Not here: refusing an application while a refund awaits the seller (409 refund_pending) belongs with refunds."""
from sqlalchemy import select

from app.actors import Actor
from app.errors import ConflictError, ForbiddenError, NotFoundError, RefundPendingError
from app.extensions import db, runtime
from app.models import Invoice, Order
from app.models.invoice import OPEN_STATUSES
from app.services.core import audit
from app.services.core.access import ISSUER_ROLE, authorize, visible_order
from app.services.core.runtime import find_instance, lock_instance
from app.services.core.transaction import transaction
from app.services.evidence.attachments import link_attachments
from app.services.refunds.options import open_refund
from app.services.invoices.rules import CLOSED_ORDER_STATUSES, issuer_for, return_materials


def apply_for_invoice(actor: Actor, order_id: str, type_: str, title: str, tax_id: str | None) -> Invoice:
    """The order's buyer applies for an invoice; its issuer follows from the goods class."""
    authorize(actor, "invoices.apply")
    with transaction() as session:
        order = visible_order(session, actor, order_id)
        _lock(session, order)
        _check_may_apply(session, order)
        refund = open_refund(session, order.id)
        if refund is not None and refund.status == "pending_seller":
            raise RefundPendingError("a refund of this order awaits the seller: apply for the invoice once it is decided")
        invoice = Invoice(order_id=order.id, issuer=issuer_for(order), type=type_, title=title, tax_id=tax_id,
                          status="applied", applied_by=actor.name, applied_at=runtime.clock.now())
        session.add(invoice)
        session.flush()
        _log(session, order, actor, "invoice_applied", invoice, type=type_, issuer=invoice.issuer)
        return invoice


def _check_may_apply(session, order: Order) -> None:
    if order.status in CLOSED_ORDER_STATUSES:
        raise ConflictError(f"the order is {order.status}: there is nothing to invoice")
    if order.amount_paid <= 0:
        raise ConflictError("nothing was paid for this order: there is nothing to invoice")
    open_one = session.scalars(select(Invoice).where(Invoice.order_id == order.id,
                                                     Invoice.status.in_(OPEN_STATUSES))).first()
    if open_one is not None:
        raise ConflictError(f"invoice {open_one.id} of this order is {open_one.status}: one invoice at a time")


def issue_invoice(actor: Actor, invoice_id: str, invoice_no: str) -> Invoice:
    """The issuer issues an applied invoice under its number."""
    authorize(actor, "invoices.issue")
    with transaction() as session:
        invoice, order = _as_issuer(session, actor, invoice_id)
        _expect(invoice, "applied", "issued")
        invoice.status, invoice.invoice_no = "issued", invoice_no
        invoice.issued_by, invoice.issued_at = actor.name, runtime.clock.now()
        _log(session, order, actor, "invoice_issued", invoice, invoice_no=invoice_no)
        return invoice


def return_invoice(actor: Actor, invoice_id: str, tracking_no: str | None, deducted: bool,
                   attachments: list[str]) -> Invoice:
    """The buyer sends an issued invoice back with what its type needs (rules.return_materials)."""
    authorize(actor, "invoices.return")
    with transaction() as session:
        invoice, order = _locked_invoice(session, actor, invoice_id)
        _expect(invoice, "issued", "returned")
        materials = return_materials(invoice, tracking_no, deducted, attachments)
        link_attachments(session, actor, order.id, attachments)
        for name, value in materials.items():
            setattr(invoice, name, value)
        invoice.status, invoice.return_submitted_at = "return_submitted", runtime.clock.now()
        _log(session, order, actor, "invoice_return_submitted", invoice, attachments=attachments,
             tracking_no=tracking_no, deducted=bool(deducted))
        return invoice


def confirm_return(actor: Actor, invoice_id: str) -> Invoice:
    """The issuer confirms it got the invoice back (or the red-letter form): the invoice is returned."""
    authorize(actor, "invoices.confirm_return")
    with transaction() as session:
        invoice, order = _as_issuer(session, actor, invoice_id)
        _expect(invoice, "return_submitted", "confirmed returned")
        invoice.status, invoice.returned_by, invoice.returned_at = "returned", actor.name, runtime.clock.now()
        _log(session, order, actor, "invoice_returned", invoice)
        return invoice


def withdraw_invoice(actor: Actor, invoice_id: str) -> Invoice:
    """The buyer withdraws an application not issued yet (it then blocks no refund)."""
    authorize(actor, "invoices.withdraw")
    with transaction() as session:
        invoice, order = _locked_invoice(session, actor, invoice_id)
        _expect(invoice, "applied", "withdrawn")
        invoice.status, invoice.withdrawn_at = "withdrawn", runtime.clock.now()
        _log(session, order, actor, "invoice_withdrawn", invoice)
        return invoice


def order_invoices(actor: Actor, order_id: str) -> list[Invoice]:
    """The invoices of an order the caller may read, oldest first."""
    authorize(actor, "invoices.read")
    with transaction(readonly=True) as session:
        order = visible_order(session, actor, order_id)
        return list(session.scalars(select(Invoice).where(Invoice.order_id == order.id)
                                    .order_by(Invoice.applied_at, Invoice.id)))


def get_invoice(actor: Actor, invoice_id: str) -> Invoice:
    authorize(actor, "invoices.read")
    with transaction(readonly=True) as session:
        return _visible(session, actor, invoice_id)[0]


def _visible(session, actor: Actor, invoice_id: str) -> tuple[Invoice, Order]:
    """The invoice and its order, when the caller may read the order (404 otherwise: no leak)."""
    invoice = session.get(Invoice, invoice_id)
    if invoice is None:
        raise NotFoundError("no such invoice")
    return invoice, visible_order(session, actor, invoice.order_id)


def _locked_invoice(session, actor: Actor, invoice_id: str) -> tuple[Invoice, Order]:
    invoice, order = _visible(session, actor, invoice_id)
    _lock(session, order)
    return invoice, order


def _as_issuer(session, actor: Actor, invoice_id: str) -> tuple[Invoice, Order]:
    """The invoice, locked, when the caller acts for its issuer (the platform, or the order's seller)."""
    invoice, order = _visible(session, actor, invoice_id)
    if actor.role != ISSUER_ROLE[invoice.issuer]:
        raise ForbiddenError(f"the {invoice.issuer} issues this invoice, not the {actor.role}")
    _lock(session, order)
    return invoice, order


def _lock(session, order: Order) -> None:
    """Take the lock every writer of the order's history takes: its supervision instance (the order row
    when it has none). Rows read before reload afterwards."""
    if find_instance(session, order.id) is not None:
        lock_instance(session, order.id)
    elif db.is_postgres:
        session.execute(select(Order.id).where(Order.id == order.id).with_for_update())
        session.expire_all()


def _expect(invoice: Invoice, status: str, done: str) -> None:
    if invoice.status != status:
        raise ConflictError(f"the invoice is {invoice.status}; only an invoice {status} can be {done}")


def _log(session, order: Order, actor: Actor, type_: str, invoice: Invoice, attachments=(), **data) -> None:
    audit.record(session, order.id, actor, type_, data={"invoice_id": invoice.id, **data},
                 attachments=list(attachments))
