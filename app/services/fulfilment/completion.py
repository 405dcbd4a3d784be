"""What the end of an order's supervision process does: complete the order, if completion was earned."""
from app.actors import Actor
from app.engine import WorkflowInstance
from app.models import Order, ProcessInstance
from app.models.process import SUPERVISION
from app.services.core.runtime import finish_order, register_completion
from app.errors import WorkflowError
from app.extensions import runtime
from app.services.fulfilment.acceptance import COMPLETED_END, check_earned_completion
from app.services.milestones.stages import ACCEPTED_COUNT, accept_remaining, record_progress, unaccepted_names


def complete_supervision(session, order: Order, instance: ProcessInstance, workflow: WorkflowInstance,
                         actor: Actor) -> None:
    """The order completes through its declared end after a standing acceptance; else a WorkflowError."""
    if order.status != "processing":  # operations' outcomes finish the order themselves
        return
    check_earned_completion(session, order, workflow.ended_at(), owner=instance.id)
    _check_milestones(session, order, instance, workflow, actor)
    finish_order(session, order, "completed", actor)


def _check_milestones(session, order: Order, instance: ProcessInstance, workflow: WorkflowInstance,
                      actor: Actor) -> None:
    """A staged process completes only after its last milestone; one without stages accepts them all."""
    accepted = workflow.data_value(ACCEPTED_COUNT)
    if accepted is None:
        accept_remaining(session, order, actor, runtime.clock.now())
        return
    record_progress(session, order, accepted, actor, runtime.clock.now())
    left = unaccepted_names(order)
    if left:
        error = WorkflowError(f"the process ended with milestone(s) not accepted: {', '.join(left)}",
                              element_id=COMPLETED_END)
        error.owner = instance.id
        raise error


def register() -> None:
    """Supervision instances end through complete_supervision (create_app calls this)."""
    register_completion(SUPERVISION, complete_supervision)
