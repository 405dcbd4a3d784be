"""Loops without a deeper task tree, and a check that the engine still sees every task.

SpiffWorkflow adds a new task below the last one each time a flow loops back (a reject goes back to
`deliver`), so the tree deepens by a few levels per round. Its task iterator stops at depth 1000:
past that, tasks become invisible to `get_tasks()` and `is_completed()`, and a process would look
finished while the buyer's acceptance task waits out of sight. Folding keeps the tree flat: when a
node is entered again, the new run takes the place of its previous run (a completed ancestor) and
the finished round between them is dropped; the new run keeps its id, data and timers. The
evidence of every round is the audit log, not the tree.
"""
from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.util.task import TaskState

_WAITS = TaskState.READY | TaskState.WAITING
_UNFINISHED = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR
MAX_FOLDS = 50  # folds per engine step; a loop needs one per re-entered node


def fold_reentries(workflow) -> int:
    """Put each node that is active again in the place of its previous run; returns how many folded."""
    folded = 0
    for task in [t for t in workflow.tasks.values() if t.state & _WAITS]:
        if folded >= MAX_FOLDS or task.id not in workflow.tasks:  # dropped by an earlier fold
            continue
        unit = _unit(task)
        earlier = _earlier_run(unit)
        if earlier is not None and _round_is_finished(earlier, unit):
            _splice(workflow, earlier, unit)
            folded += 1
    return folded


def _unit(task):
    """What was entered: the task, or the split holding it with its boundary events."""
    parent = task.parent
    return parent if parent is not None and isinstance(parent.task_spec, BoundaryEventSplit) else task


def _earlier_run(task):
    """The nearest completed ancestor that ran the same node, if any."""
    ancestor = task.parent
    while ancestor is not None:
        if ancestor.task_spec is task.task_spec and ancestor.state == TaskState.COMPLETED:
            return ancestor
        ancestor = ancestor.parent
    return None


def _round_is_finished(earlier, current) -> bool:
    """Nothing below `earlier` still runs except `current` and what lies below it (no parallel branch)."""
    for task in earlier:
        if task is not current and task.state & _UNFINISHED and not task.is_descendant_of(current):
            return False
    return True


def _splice(workflow, earlier, current) -> None:
    """Drop the finished round: `current`, untouched (id, data, timers), takes `earlier`'s place."""
    parent = earlier.parent
    keep = {t.id for t in current}
    for task in list(earlier):
        if task.id not in keep:
            workflow.tasks.pop(task.id, None)
    parent._children[parent._children.index(earlier.id)] = current.id
    current.parent = parent
    if workflow.last_task is not None and workflow.last_task.id not in workflow.tasks:
        workflow.last_task = parent


def hidden_task_count(workflow) -> int:
    """How many tasks the engine's own iterator cannot reach (0 unless the tree is too deep)."""
    total = len(workflow.tasks) + sum(len(sub.tasks) for sub in workflow.subprocesses.values())
    return total - len(workflow.get_tasks())
