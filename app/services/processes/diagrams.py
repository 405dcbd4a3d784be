"""An order's diagram with where it stands: the XML plus active and completed element ids."""
from app.errors import NotFoundError
from app.services.core.access import diagram_order
from app.actors import Actor
from app.services.core.transaction import transaction
from app.services.core.runtime import find_instance, open_workflow


def order_diagram(actor: Actor, order_id: str) -> dict:
    """Whoever may see the order, and analysts (who own the flows), may see its diagram."""
    with transaction(readonly=True) as session:
        order = diagram_order(session, actor, order_id)
        instance = find_instance(session, order.id)
        if instance is None:
            raise NotFoundError("this order has no supervision process")
        workflow = open_workflow(instance)
        active = sorted(workflow.active_node_ids())
        completed = [n for n in workflow.completed_node_ids() if n not in active]
        return {"key": instance.definition.key, "version": instance.definition.version,
                "xml": instance.definition.xml, "active": active, "completed": completed}
