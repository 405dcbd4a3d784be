"""What the end of an order's supervision process does: complete the order, if completion was earned."""
from app.actors import Actor
from app.engine import WorkflowInstance
from app.models import Order, ProcessInstance
from app.models.process import SUPERVISION
from app.services.core.runtime import finish_order, register_completion
from app.services.fulfilment.acceptance import check_earned_completion


def complete_supervision(session, order: Order, instance: ProcessInstance, workflow: WorkflowInstance,
                         actor: Actor) -> None:
    """The order completes through its declared end after a standing acceptance; else a WorkflowError."""
    if order.status != "processing":  # operations' outcomes finish the order themselves
        return
    check_earned_completion(session, order, workflow.ended_at(), owner=instance.id)
    finish_order(session, order, "completed", actor)


def register() -> None:
    """Supervision instances end through complete_supervision (create_app calls this)."""
    register_completion(SUPERVISION, complete_supervision)
