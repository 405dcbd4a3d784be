from app.api.auth import actor, authenticated
from app.api.base import problems
from app.api.bodies import EXAMPLES
from app.api.paging import PAGING, Blueprint, page_of
from app.schemas.appeals import AppealCreateSchema, AppealSchema
from app.schemas.refunds import (AccountSchema, QuotaSchema, RefundCreateSchema, RefundListArgs, RefundOptionsArgs,
                                 RefundOptionsSchema, RefundSchema)
from app.schemas.tasks import ActionSchema
from app.services.appeals import cases as appeals
from app.services.refunds import accounts, options, process, requests, views

blp = Blueprint("refunds", __name__, url_prefix="/api/v1", description="Refunds (退订) and the buyers' accounts")


@blp.route("/orders/<order_id>/refund-options", methods=["GET"])
@problems(403)
@authenticated()
@blp.arguments(RefundOptionsArgs, location="query")
@blp.response(200, RefundOptionsSchema)
def refund_options(args, order_id):
    """What refund the order's buyer may ask for now (Table 6-1 and its remarks)."""
    return options.refund_options(actor(), order_id, args.get("goods"))


@blp.route("/orders/<order_id>/refunds", methods=["POST"])
@problems(403, 409)
@authenticated()
@blp.arguments(RefundCreateSchema, example=EXAMPLES["refund"])
@blp.response(201, RefundSchema)
def request_refund(body, order_id):
    """The buyer asks for a refund: negotiated with the seller, or the five-day no-reason refund."""
    return requests.request_refund(actor(), order_id, body)


@blp.route("/refunds", methods=["GET"])
@problems(403)
@authenticated()
@blp.arguments(RefundListArgs, location="query")
@blp.response(200, RefundSchema(many=True))
@blp.paginate(**PAGING)
def list_refunds(filters, pagination_parameters):
    """The caller's refunds, newest first."""
    return page_of(pagination_parameters, lambda page, size: views.list_refunds(actor(), filters, page, size))


@blp.route("/refunds/<refund_id>", methods=["GET"])
@problems(403)
@authenticated()
@blp.response(200, RefundSchema)
def get_refund(refund_id):
    """One refund with its nodes and the caller's available actions."""
    return views.get_refund(actor(), refund_id)


@blp.route("/refunds/<refund_id>/actions/<action>", methods=["POST"])
@problems(403, 409)
@authenticated()
@blp.arguments(ActionSchema, example=EXAMPLES["refund_action"], required=False)
@blp.response(200, RefundSchema)
def act(body, refund_id, action):
    """Complete the refund's ready task that offers `action`."""
    return process.perform_refund_action(actor(), refund_id, action, body["data"], body["attachments"])


@blp.route("/refunds/<refund_id>/appeals", methods=["POST"])
@problems(403, 409)
@authenticated()
@blp.arguments(AppealCreateSchema, example=EXAMPLES["appeal"])
@blp.response(201, AppealSchema)
def appeal(body, refund_id):
    """The buyer appeals a refund the seller left pending for more than 10 days (worked by operations)."""
    return appeals.open_refund_appeal(actor(), refund_id, body["reason"], body["demand"], body["attachments"])


@blp.route("/refund-quota", methods=["GET"])
@problems(403)
@authenticated()
@blp.response(200, QuotaSchema)
def refund_quota():
    """The caller's five-day refunds this calendar year (Beijing time)."""
    return options.refund_quota(actor())


@blp.route("/accounts/me", methods=["GET"])
@problems(403)
@authenticated()
@blp.response(200, AccountSchema)
def my_account():
    """The caller's balance and its ledger entries, newest first."""
    return accounts.my_account(actor())
