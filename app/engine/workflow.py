"""SpiffWorkflow's BPMN workflow with a faster answer to plain task queries.

The engine asks `get_tasks(state=...)` about fifteen times per timer it fires and as often per action (each
engine step, the inbox, the next timer, the completion check). SpiffWorkflow answers through a generic
iterator (a filter object per task, a property per child and parent lookup, a list shifted from its front);
for a query that only filters (no start task, no depth or end options) this walk gives the same tasks in
the same order, its depth limit included (app/engine/loops.py relies on what that limit hides), in a
fraction of the time. tests/unit/test_task_query.py compares both on every diagram and on a deep tree."""
from SpiffWorkflow.bpmn.util.task import BpmnTaskFilter
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

# what BpmnTaskFilter takes; a query with anything else (a start task, end_at_spec, max_depth...) goes to
# SpiffWorkflow's own iterator
FILTERS = frozenset({"state", "updated_ts", "manual", "spec_name", "spec_class", "catches_event", "lane"})
MAX_DEPTH = 1000  # SpiffWorkflow's iterator does not descend below this depth


class Workflow(BpmnWorkflow):
    """A BpmnWorkflow whose filter-only task queries take the walk below; stored as a BpmnWorkflow."""

    def get_tasks(self, first_task=None, **kwargs):
        if first_task is not None or not FILTERS.issuperset(kwargs):
            return super().get_tasks(first_task, **kwargs)
        return matching_tasks(self, BpmnTaskFilter(**kwargs))


def _lowest_state_descended(state: int) -> int:
    """Below which tasks the walk need not look for `state` (children never have a later state than
    their parent, but for the cases SpiffWorkflow's iterator allows for)."""
    if state & TaskState.PREDICTED_MASK:
        return TaskState.MAYBE
    if state & TaskState.DEFINITE_MASK:
        return TaskState.FUTURE
    return TaskState.COMPLETED


def matching_tasks(workflow: BpmnWorkflow, task_filter: BpmnTaskFilter) -> list:
    """The tasks of `workflow` and its subprocesses that `task_filter` matches, depth first, as
    SpiffWorkflow's BpmnTaskIterator yields them (it tracks depth this way, and stops at MAX_DEPTH)."""
    state, lowest = task_filter.state, _lowest_state_descended(task_filter.state)
    skip_finished = state <= TaskState.FINISHED_MASK  # a finished subprocess holds no unfinished task
    subprocesses = workflow.subprocesses
    found, stack, depth = [], [workflow.task_tree], 0
    while stack:
        task = stack.pop()
        subprocess = subprocesses.get(task.id) if subprocesses else None
        if (task._children or subprocess is not None) and depth < MAX_DEPTH \
                and (task._state >= lowest or subprocess is not None) and task.task_spec.name is not None:
            tasks = task.workflow.tasks
            stack.extend([tasks.get(child) for child in reversed(task._children)])
            if subprocess is not None and not (skip_finished and task._state >= TaskState.FINISHED_MASK):
                stack.append(subprocess.task_tree)
            depth += 1
        elif stack and stack[-1]._parent != task._parent:  # a leaf, not followed by a sibling: back up
            ancestor, current = stack[-1].parent, task.parent  # to the level of the next task
            while current is not None and current is not ancestor:
                current, depth = current.parent, depth - 1
        if task._state & state and task_filter.matches(task):
            found.append(task)
    return found
