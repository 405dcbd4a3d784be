from app.api.auth import actor, authenticated
from app.api.base import problems
from app.api.bodies import EXAMPLES
from app.api.paging import PAGING, Blueprint, page_of
from app.schemas.purchases import (AppCreateSchema, ApplicationCreateSchema, ApplicationListArgs, ApplicationSchema,
                                   AppSchema, EntitlementCheckArgs, EntitlementCheckSchema, EntitlementSchema,
                                   TenantCreateSchema, TenantSchema)
from app.schemas.tasks import ActionSchema
from app.services.purchases import actions, applications, entitlements, store, views

blp = Blueprint("purchases", __name__, url_prefix="/api/v1",
                description="The Weaver cloud store: tenants, apps, purchase applications, entitlements")


@blp.route("/tenants", methods=["POST"])
@problems(403, 409)
@authenticated()
@blp.arguments(TenantCreateSchema, example=EXAMPLES["tenant"])
@blp.response(201, TenantSchema)
def create_tenant(body):
    """An admin records a tenant (a private-cloud tenant names its environment)."""
    return store.create_tenant(actor(), body)


@blp.route("/apps", methods=["POST"])
@problems(403, 409)
@authenticated()
@blp.arguments(AppCreateSchema, example=EXAMPLES["app"])
@blp.response(201, AppSchema)
def publish_app(body):
    """A seller publishes a paid app (a special app offers no trial: 422)."""
    return store.publish_app(actor(), body)


@blp.route("/purchase-applications", methods=["POST"])
@problems(403, 409)
@authenticated()
@blp.arguments(ApplicationCreateSchema, example=EXAMPLES["purchase_application"])
@blp.response(201, ApplicationSchema)
def apply(body):
    """A buyer of a tenant applies to buy, trial or renew an app (409 application_not_allowed: the store's rules)."""
    return applications.apply(actor(), body)


@blp.route("/purchase-applications", methods=["GET"])
@problems(403)
@authenticated()
@blp.arguments(ApplicationListArgs, location="query")
@blp.response(200, ApplicationSchema(many=True))
@blp.paginate(**PAGING)
def list_applications(filters, pagination_parameters):
    """The caller's applications (buyer: its tenant's; seller: of its apps; staff: all), newest first."""
    return page_of(pagination_parameters,
                   lambda page, size: views.list_applications(actor(), filters, page, size))


@blp.route("/purchase-applications/<application_id>", methods=["GET"])
@problems(403)
@authenticated()
@blp.response(200, ApplicationSchema)
def get_application(application_id):
    """One application with its nodes, the caller's actions and the contacts the caller may see."""
    return views.get_application(actor(), application_id)


@blp.route("/purchase-applications/<application_id>/actions/<action>", methods=["POST"])
@problems(403, 409)
@authenticated()
@blp.arguments(ActionSchema, example=EXAMPLES["application_action"], required=False)
@blp.response(200, ApplicationSchema)
def act(body, application_id, action):
    """Complete the application's ready task that offers `action` (approve, reject, upload_license_file,
    distribute_seats, seats_adjusted)."""
    return actions.perform_application_action(actor(), application_id, action, body["data"], body["attachments"])


@blp.route("/entitlements", methods=["GET"])
@problems(403)
@authenticated()
@blp.response(200, EntitlementSchema(many=True))
def list_entitlements():
    """Buyer: what its tenant may install (on a private cloud, its environment's too); staff: all."""
    return entitlements.list_entitlements(actor())


@blp.route("/entitlements/check", methods=["GET"])
@problems(403)
@authenticated()
@blp.arguments(EntitlementCheckArgs, location="query")
@blp.response(200, EntitlementCheckSchema)
def check_entitlement(args):
    """Whether the caller's tenant may install the app now, and why not."""
    return entitlements.check(actor(), args["app_id"])
