from app.api.auth import actor, authenticated
from app.api.base import problems
from app.api.bodies import EXAMPLES
from app.api.paging import PAGING, Blueprint, page_of
from app.schemas.callbacks import (AccessKeySchema, CallbackListArgs, CallbackSchema, ProductionInterfaceSchema,
                                   ProductionInterfaceSetSchema)
from app.services.callbacks import keys, views

blp = Blueprint("callbacks", __name__, url_prefix="/api/v1",
                description="Merchant integration: production interfaces, callbacks, AK/SK access keys")


@blp.route("/sellers/<name>/production-interface", methods=["PUT"])
@problems(403)
@authenticated()
@blp.arguments(ProductionInterfaceSetSchema, example=EXAMPLES["production_interface"])
@blp.response(200, ProductionInterfaceSchema)
def set_production_interface(body, name):
    """Register the seller's production interface; the answer carries a new access key, shown once."""
    return keys.set_production_interface(actor(), name, body["url"])


@blp.route("/principals/<name>/access-keys", methods=["POST"])
@problems(403, 422)
@authenticated()
@blp.response(201, AccessKeySchema)
def create_access_key(name):
    """A new AK/SK pair for SDK-HMAC-SHA256 signed calls; the secret key is shown once."""
    return keys.create_access_key(actor(), name)


@blp.route("/callbacks", methods=["GET"])
@problems(403)
@authenticated()
@blp.arguments(CallbackListArgs, location="query")
@blp.response(200, CallbackSchema(many=True))
@blp.paginate(**PAGING)
def list_callbacks(filters, pagination_parameters):
    """Production-interface calls, newest first: a seller's own, or all for staff."""
    return page_of(pagination_parameters, lambda page, size: views.list_callbacks(actor(), filters, page, size))


@blp.route("/callbacks/<int(max=2147483647):callback_id>/retry", methods=["POST"])
@problems(403, 409)
@authenticated()
@blp.response(200, CallbackSchema)
def retry(callback_id):
    """Re-drive a failed callback: due now, with a fresh deadline."""
    return views.retry_callback(actor(), callback_id)
