from flask import Response

from app.api.auth import actor, authenticated
from app.api.base import problems
from app.api.bodies import EVIDENCE_ZIP, EXAMPLES
from app.api.paging import PAGING, Blueprint, page_of
from app.schemas.appeals import AppealCreateSchema, AppealSchema
from app.schemas.orders import (AuthcodeActivationSchema, HistoryEventSchema, LogisticsUpdateSchema,
                                OrderCreateSchema, OrderListArgs, OrderSchema)
from app.schemas.tasks import ActionSchema
from app.services.fulfilment import actions
from app.services.appeals import cases as appeals
from app.services.fulfilment import authcodes
from app.services.evidence import bundle, history
from app.services.fulfilment import logistics
from app.services.fulfilment import orders

blp = Blueprint("orders", __name__, url_prefix="/api/v1", description="Orders, their actions, appeals and history")


@blp.route("/orders", methods=["POST"])
@problems(403, 409)
@authenticated()
@blp.arguments(OrderCreateSchema, example=EXAMPLES["order"])
@blp.response(201, OrderSchema)
@blp.alt_response(200, schema=OrderSchema, description="The same order placed again (idempotent)")
def place(body):
    """Place a paid order and start its supervision (idempotent on order_no)."""
    order, created = orders.place_order(actor(), body)
    return order, 201 if created else 200


@blp.route("/orders", methods=["GET"])
@problems(403)
@authenticated()
@blp.arguments(OrderListArgs, location="query")
@blp.response(200, OrderSchema(many=True))
@blp.paginate(**PAGING)
def list_orders(filters, pagination_parameters):
    """Orders the caller may see, newest first."""
    return page_of(pagination_parameters, lambda page, size: orders.list_orders(actor(), filters, page, size))


@blp.route("/orders/<order_id>", methods=["GET"])
@problems(403)
@authenticated()
@blp.response(200, OrderSchema)
def get(order_id):
    """One order with its current nodes and the caller's available actions."""
    return orders.get_order(actor(), order_id)


@blp.route("/orders/<order_id>/history", methods=["GET"])
@problems(403)
@authenticated()
@blp.response(200, HistoryEventSchema(many=True))
def order_history(order_id):
    """The order's append-only operation log, oldest first."""
    return history.order_history(actor(), order_id)


@blp.route("/orders/<order_id>/evidence", methods=["GET"])
@problems(403)
@authenticated()
@blp.doc(**EVIDENCE_ZIP)
def evidence(order_id):
    """The order's evidence bundle (ZIP), checkable offline with the verify.py inside it."""
    found = bundle.evidence_bundle(actor(), order_id)
    return Response(found.stream(), mimetype="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{found.filename}"'})


@blp.route("/orders/<order_id>/actions/<action>", methods=["POST"])
@problems(403, 409)
@authenticated()
@blp.arguments(ActionSchema, example=EXAMPLES["action"], required=False)  # accept, claim...: no body needed
@blp.response(200, OrderSchema)
def act(body, order_id, action):
    """Complete the order's ready task that offers `action`."""
    return actions.perform_action(actor(), order_id, action, body["data"], body["attachments"])


@blp.route("/orders/<order_id>/appeals", methods=["POST"])
@problems(403, 409)
@authenticated()
@blp.arguments(AppealCreateSchema, example=EXAMPLES["appeal"])
@blp.response(201, AppealSchema)
def appeal(body, order_id):
    """Appeal to operations; the order is frozen until the appeal is resolved."""
    return appeals.open_appeal(actor(), order_id, body["reason"], body["demand"], body["attachments"])


@blp.route("/orders/<order_id>/logistics", methods=["POST"])
@problems(403, 409)
@authenticated()
@blp.arguments(LogisticsUpdateSchema, example=EXAMPLES["logistics"])
@blp.response(200, OrderSchema)
def logistics_update(body, order_id):
    """Record a hardware logistics update; a signed parcel with the recipient's phone arms auto-acceptance."""
    return logistics.record_logistics(actor(), order_id, body["status"], body["at"], body["recipient_phone"])


@blp.route("/authcodes/<code>/activate", methods=["POST"])
@problems(403, 409)
@authenticated()
@blp.arguments(AuthcodeActivationSchema, example=EXAMPLES["activation"])
@blp.response(200, OrderSchema)
def activate(body, code):
    """The seller activates a claimed authorization code; its time starts the service."""
    return authcodes.activate_authcode(actor(), code, body["real_effect_time"])
