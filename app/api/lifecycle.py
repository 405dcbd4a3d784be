from app.api.auth import actor, authenticated
from app.api.base import problems
from app.api.bodies import EXAMPLES
from app.api.paging import Blueprint
from app.schemas.lifecycle import (ConversionCreateSchema, ExpiryPolicySchema, RenewalCreateSchema,
                                   RenewalRefundSchema, RenewalSchema)
from app.schemas.orders import OrderSchema
from app.schemas.refunds import RefundSchema
from app.services.lifecycle import policy, renewals
from app.services.refunds import renewals as renewal_refunds

blp = Blueprint("lifecycle", __name__, url_prefix="/api/v1",
                description="Renewals, expiry policies and trials of periodic orders")


@blp.route("/orders/<order_id>/renewals", methods=["POST"])
@problems(403, 409)
@authenticated()
@blp.arguments(RenewalCreateSchema, example=EXAMPLES["renewal"])
@blp.response(201, RenewalSchema)
@blp.alt_response(200, schema=RenewalSchema, description="The same renewal reported again (idempotent)")
def renew(body, order_id):
    """The marketplace reports a paid renewal: one more period from where validity ends (no new process)."""
    renewal, created = renewals.renew(actor(), order_id, body)
    return renewal, 201 if created else 200


@blp.route("/orders/<order_id>/conversions", methods=["POST"])
@problems(403, 409)
@authenticated()
@blp.arguments(ConversionCreateSchema, example=EXAMPLES["conversion"])
@blp.response(201, RenewalSchema)
@blp.alt_response(200, schema=RenewalSchema, description="The same conversion reported again (idempotent)")
def convert(body, order_id):
    """The marketplace reports that the buyer paid for the trial's formal version (a trial_to_formal renewal)."""
    renewal, created = renewals.convert(actor(), order_id, body)
    return renewal, 201 if created else 200


@blp.route("/orders/<order_id>/renewals/<renewal_id>/refund", methods=["POST"])
@problems(403, 409)
@authenticated()
@blp.arguments(RenewalRefundSchema, example=EXAMPLES["renewal_refund"], required=False)
@blp.response(201, RefundSchema)
def refund_renewal(body, order_id, renewal_id):
    """The buyer refunds a renewal period that has not taken effect, in full and without the seller."""
    return renewal_refunds.refund_renewal(actor(), order_id, renewal_id, body)


@blp.route("/orders/<order_id>/expiry-policy", methods=["PUT"])
@problems(403, 409)
@authenticated()
@blp.arguments(ExpiryPolicySchema, example=EXAMPLES["expiry_policy"])
@blp.response(200, OrderSchema)
def expiry_policy(body, order_id):
    """The buyer chooses auto-renewal (period, count) or no renewal at expiry (no reminders then)."""
    return policy.set_expiry_policy(actor(), order_id, body)
