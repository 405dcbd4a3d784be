from app.api.auth import actor, authenticated
from app.api.base import Blueprint, problems
from app.api.bodies import EXAMPLES
from app.schemas.principals import PrincipalCreateSchema, PrincipalSchema
from app.services.principals import create_principal_as

blp = Blueprint("principals", __name__, url_prefix="/api/v1", description="Principals and tokens (admin)")


@blp.route("/principals", methods=["POST"])
@problems(403, 409)
@authenticated()
@blp.arguments(PrincipalCreateSchema, example=EXAMPLES["principal"])
@blp.response(201, PrincipalSchema)
def create(body):
    """Create a principal; the response carries its token, shown once."""
    return create_principal_as(actor(), body["name"], body["role"], body.get("review_role"),
                               body.get("tenant"))
