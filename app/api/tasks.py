from flask import jsonify

from app.api.auth import actor, authenticated
from app.api.base import problems
from app.api.bodies import EXAMPLES
from app.api.paging import PAGING, Blueprint, page_of
from app.schemas.orders import OrderSchema
from app.schemas.purchases import ApplicationSchema
from app.schemas.tasks import TaskCompleteSchema, TaskListArgs, TaskSchema
from app.services.fulfilment import actions
from app.services.purchases.views import ApplicationView

blp = Blueprint("tasks", __name__, url_prefix="/api/v1", description="The caller's task inbox")


@blp.route("/tasks", methods=["GET"])
@problems(403)
@authenticated()
@blp.arguments(TaskListArgs, location="query")
@blp.response(200, TaskSchema(many=True))
@blp.paginate(**PAGING)
def inbox(filters, pagination_parameters):
    """Ready tasks the caller may complete, across orders."""
    return page_of(pagination_parameters, lambda page, size: actions.list_tasks(actor(), filters, page, size))


@blp.route("/tasks/<task_id>/complete", methods=["POST"])
@problems(403, 409)
@authenticated()
@blp.arguments(TaskCompleteSchema, example=EXAMPLES["task"], required=False)  # accept, claim...: no body needed
@blp.response(200, OrderSchema)
def complete(body, task_id):
    """Complete one task with an action it offers; answered with its order, or with its purchase application
    (the ApplicationSchema shape) for the task of an application."""
    done = actions.complete_task(actor(), task_id, body["action"], body["data"], body["attachments"])
    if isinstance(done, ApplicationView):
        return jsonify(ApplicationSchema().dump(done))
    return done
