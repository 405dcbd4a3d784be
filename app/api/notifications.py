from app.api.auth import actor, authenticated
from app.api.base import problems
from app.api.paging import PAGING, Blueprint, page_of
from app.schemas.notifications import NotificationListArgs, NotificationSchema
from app.services.core import notifications

blp = Blueprint("notifications", __name__, url_prefix="/api/v1",
                description="What the platform told the caller: appeal and refund results, reminders, callback failures")


@blp.route("/notifications", methods=["GET"])
@problems()
@authenticated()
@blp.arguments(NotificationListArgs, location="query")
@blp.response(200, NotificationSchema(many=True))
@blp.paginate(**PAGING)
def inbox(args, pagination_parameters):
    """The caller's notifications, newest first."""
    return page_of(pagination_parameters,
                   lambda page, size: notifications.list_notifications(actor(), args["unread"], page, size))


@blp.route("/notifications/<int(max=2147483647):notification_id>/read", methods=["POST"])
@problems()
@authenticated()
@blp.response(200, NotificationSchema)
def mark_read(notification_id):
    """Mark one of the caller's notifications read (idempotent)."""
    return notifications.mark_read(actor(), notification_id)
