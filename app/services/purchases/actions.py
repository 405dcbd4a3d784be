"""Completing the tasks of a purchase application's process: POST /purchase-applications/{id}/actions/{action}
and the inbox's POST /tasks/{id}/complete for an application's task."""
from marshmallow import ValidationError

from app.actors import Actor
from app.errors import ActionNotAvailableError, ConflictError, ForbiddenError, ValidationFailedError
from app.models import PurchaseApplication, Task
from app.schemas.forms import form_for
from app.services.core.access import authorize, may_act
from app.services.core.runtime import (lock_instance_by_id, open_workflow, ready_task_offering,
                                       records_engine_failures, save_workflow)
from app.services.core.transaction import transaction
from app.services.evidence.attachments import own_attachments
from app.services.purchases.outcomes import EFFECTS, jsonable
from app.services.purchases.views import ApplicationView, instance_of, present_application, visible_application

ALIASES = {"adjust_seats": "seats_adjusted"}  # the task's name also completes it


@records_engine_failures
def perform_application_action(actor: Actor, application_id: str, action: str, data: dict, attachments: list[str],
                               task_id: str | None = None) -> ApplicationView:
    """Complete the application's ready task that offers `action`, as `actor`, and advance its process."""
    authorize(actor, "applications.act")
    action = ALIASES.get(action, action)
    with transaction() as session:
        visible_application(session, actor, application_id)
        found = instance_of(session, application_id)
        if found is None:
            raise ActionNotAvailableError("this application has no tasks")
        instance = lock_instance_by_id(session, found.id)
        application = session.get(PurchaseApplication, application_id)
        if instance.status != "running":
            raise ConflictError(f"the application is {application.status}")
        task = ready_task_offering(session, instance, action, task_id)
        if task is None:
            raise ActionNotAvailableError(f"no ready task of this application offers {action!r} now")
        if not may_act(actor, task):
            raise ForbiddenError(f"{task.node_id} is not yours to complete")
        values = _validated(session, actor, task, action, data, attachments)
        EFFECTS[action](session, application, values)
        workflow = open_workflow(instance)
        workflow.complete(task.id, action, lane=actor.role, data=jsonable(values))
        save_workflow(session, application, instance, workflow, actor)
        return present_application(session, application, actor)


def _validated(session, actor: Actor, task: Task, action: str, data: dict, attachments: list[str]) -> dict:
    try:
        values = form_for(task.forms.get(action)).load({**(data or {}), "attachments": attachments or []})
    except ValidationError as exc:
        raise ValidationFailedError(exc.messages) from None
    own_attachments(session, actor, values.get("attachments", []))
    return values
