"""Moving running orders from one version of a process to another, only when asked."""
from sqlalchemy import select

from app.errors import ValidationFailedError
from app.models import Order, ProcessInstance
from app.services.core import audit
from app.services.core.access import authorize
from app.actors import Actor
from app.services.core.definitions import parsed, version_of
from app.services.core.transaction import transaction
from app.services.core.runtime import lock_instance_by_id, open_workflow, save_workflow
from app.services.milestones.stages import start_data as stage_data


def migrate_instances(actor: Actor, key: str, from_version: int, to_version: int, dry_run: bool) -> dict:
    """Migrate each running order on `from_version` whose active nodes all exist in `to_version`."""
    authorize(actor, "definitions.migrate")
    if from_version == to_version:
        raise ValidationFailedError({"to_version": ["must differ from from_version"]})
    with transaction() as session:
        source, target = version_of(session, key, from_version), version_of(session, key, to_version)
        source_id, target_id = source.id, target.id
        instance_ids = session.scalars(select(ProcessInstance.id).where(
            ProcessInstance.definition_id == source_id, ProcessInstance.status == "running",
            ProcessInstance.order_id.is_not(None))  # orders' runs; an application keeps the version it began on
            .order_by(ProcessInstance.id)).all()
    results = [_migrate_one(actor, instance_id, source_id, target_id, dry_run) for instance_id in instance_ids]
    return {"key": key, "from_version": from_version, "to_version": to_version, "dry_run": dry_run,
            "migrated": sum(r["result"] in ("migrated", "would_migrate") for r in results),
            "skipped": sum(r["result"] == "skipped" for r in results), "orders": results}


def _migrate_one(actor: Actor, instance_id: int, source_id: int, target_id: int, dry_run: bool) -> dict:
    with transaction() as session:
        instance = lock_instance_by_id(session, instance_id)
        order_id = instance.order_id
        order = session.get(Order, order_id)
        report = {"order_id": order_id, "order_no": order.order_no}
        if instance.definition_id != source_id or instance.status != "running":
            return {**report, "result": "skipped", "reason": "no longer running on the source version"}
        target = session.get(type(instance.definition), target_id)
        workflow = open_workflow(instance)
        missing = sorted(workflow.active_node_ids() - set(parsed(target).labels))
        if missing:
            return {**report, "result": "skipped", "reason": f"active node(s) not in the target: {', '.join(missing)}"}
        if dry_run:
            return {**report, "result": "would_migrate", "reason": None}
        workflow.seed_missing(stage_data(order.milestones))  # started before the flows counted milestones
        workflow.migrate_to(parsed(target))
        source_version = instance.definition.version
        instance.definition_id, instance.definition = target.id, target
        audit.record(session, order_id, actor, "process_migrated",
                     data={"key": target.key, "from_version": source_version, "to_version": target.version})
        save_workflow(session, order, instance, workflow, actor)
        return {**report, "result": "migrated", "reason": None}
