from app.api.auth import actor, authenticated
from app.api.base import problems
from app.api.bodies import EXAMPLES
from app.api.paging import Blueprint
from app.schemas.invoices import InvoiceApplySchema, InvoiceIssueSchema, InvoiceReturnSchema, InvoiceSchema
from app.services.invoices import invoices

blp = Blueprint("invoices", __name__, url_prefix="/api/v1", description="Invoices of orders and their return")


@blp.route("/orders/<order_id>/invoices", methods=["POST"])
@problems(403, 409)
@authenticated()
@blp.arguments(InvoiceApplySchema, example=EXAMPLES["invoice"])
@blp.response(201, InvoiceSchema)
def apply(body, order_id):
    """The order's buyer applies for an invoice (issued by the platform or the seller by goods class)."""
    return invoices.apply_for_invoice(actor(), order_id, body["type"], body["title"], body["tax_id"])


@blp.route("/orders/<order_id>/invoices", methods=["GET"])
@problems(403)
@authenticated()
@blp.response(200, InvoiceSchema(many=True))
def of_order(order_id):
    """The order's invoices, oldest first."""
    return invoices.order_invoices(actor(), order_id)


@blp.route("/invoices/<invoice_id>", methods=["GET"])
@problems(403)
@authenticated()
@blp.response(200, InvoiceSchema)
def get(invoice_id):
    """One invoice of an order the caller may read."""
    return invoices.get_invoice(actor(), invoice_id)


@blp.route("/invoices/<invoice_id>/issue", methods=["POST"])
@problems(403, 409)
@authenticated()
@blp.arguments(InvoiceIssueSchema, example=EXAMPLES["invoice_issue"])
@blp.response(200, InvoiceSchema)
def issue(body, invoice_id):
    """The issuer issues an applied invoice."""
    return invoices.issue_invoice(actor(), invoice_id, body["invoice_no"])


@blp.route("/invoices/<invoice_id>/return", methods=["POST"])
@problems(403, 409)
@authenticated()
@blp.arguments(InvoiceReturnSchema, example=EXAMPLES["invoice_return"], required=False)  # electronic: no body
@blp.response(200, InvoiceSchema)
def return_(body, invoice_id):
    """The buyer returns an issued invoice with what its type needs."""
    return invoices.return_invoice(actor(), invoice_id, body["tracking_no"], body["deducted"], body["attachments"])


@blp.route("/invoices/<invoice_id>/confirm-return", methods=["POST"])
@problems(403, 409)
@authenticated()
@blp.response(200, InvoiceSchema)
def confirm_return(invoice_id):
    """The issuer confirms the invoice came back."""
    return invoices.confirm_return(actor(), invoice_id)


@blp.route("/invoices/<invoice_id>/withdraw", methods=["POST"])
@problems(403, 409)
@authenticated()
@blp.response(200, InvoiceSchema)
def withdraw(invoice_id):
    """The buyer withdraws an application not issued yet."""
    return invoices.withdraw_invoice(actor(), invoice_id)
