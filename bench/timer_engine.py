"""What firing one timer costs in SpiffWorkflow alone, for bench/timer_drain.py: the engine's share of the CPU
that 1,000 timers/s leave per timer.

One drained timer's engine work, as `app.services.timers._advance` and `save_workflow` do it, without the
database: decode the stored state's JSON, load it against the parsed definition, fire the due timer (the
auto-acceptance ends the process), ask what the save asks (ready tasks, next timer, completed, ended at),
dump the state and encode it. Timed as this process's CPU over many repetitions of the same state."""
import json
import time
from datetime import datetime, timezone


def engine_ms_per_timer(template: dict, repetitions: int) -> float:
    """CPU ms per timer of the engine's work on the template instance's stored state (app context needed)."""
    from app.extensions import runtime
    from app.models import ProcessDefinition
    from app.services.core.definitions import parsed
    from app.services.core.transaction import transaction

    with transaction(readonly=True) as session:
        definition = parsed(session.get(ProcessDefinition, template["instance"]["definition_id"]))
    text, now = json.dumps(template["instance"]["state"]), datetime.now(timezone.utc)

    def fire_one() -> None:
        workflow = runtime.engine.load(definition, json.loads(text), owner=template["instance"]["id"])
        if not workflow.fire_due_timers(now):
            raise SystemExit("timer_engine: the template's timer did not fire")
        workflow.ready_user_tasks(), workflow.next_timer_at(), workflow.is_completed(), workflow.ended_at()
        json.dumps(workflow.dump())

    for _ in range(max(1, repetitions // 10)):  # warm: the definition's caches, the allocator
        fire_one()
    started = time.process_time()
    for _ in range(repetitions):
        fire_one()
    return (time.process_time() - started) / repetitions * 1e3
