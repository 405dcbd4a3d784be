from app.api.auth import actor, authenticated
from app.api.base import problems
from app.api.bodies import EXAMPLES
from app.api.paging import PAGING, Blueprint, page_of
from app.schemas.appeals import AppealListArgs, AppealResolveSchema, AppealSchema
from app.services.appeals import cases as appeals

blp = Blueprint("appeals", __name__, url_prefix="/api/v1", description="The operations appeal inbox")


@blp.route("/appeals", methods=["GET"])
@problems(403)
@authenticated()
@blp.arguments(AppealListArgs, location="query")
@blp.response(200, AppealSchema(many=True))
@blp.paginate(**PAGING)
def inbox(filters, pagination_parameters):
    """Appeals, oldest due first."""
    return page_of(pagination_parameters, lambda page, size: appeals.list_appeals(actor(), filters, page, size))


@blp.route("/appeals/<appeal_id>/claim", methods=["POST"])
@problems(403, 409)
@authenticated()
@blp.response(200, AppealSchema)
def claim(appeal_id):
    """Take an open appeal."""
    return appeals.claim_appeal(actor(), appeal_id)


@blp.route("/appeals/<appeal_id>/resolve", methods=["POST"])
@problems(403, 409)
@authenticated()
@blp.arguments(AppealResolveSchema, example=EXAMPLES["resolution"])
@blp.response(200, AppealSchema)
def resolve(body, appeal_id):
    """Decide an appeal: resume, return_to_seller, force_accept or close_with_refund."""
    return appeals.resolve_appeal(actor(), appeal_id, body["outcome"], body["note"], body.get("refund_amount"))
