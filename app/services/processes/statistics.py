"""Where orders wait: per node of a process key (all its versions), open and completed tasks, median and
p90 wait, overdue tasks. One aggregate query over the task projection; the percentiles are
percentile_cont on PostgreSQL and the same linear interpolation written out with window functions on
SQLite, so both databases give the same figures (tests/api/test_statistics.py runs on both)."""
from sqlalchemy import Float, Integer, and_, case, cast, exists, func, literal, literal_column, select

from app.actors import Actor
from app.errors import NotFoundError
from app.extensions import runtime
from app.models import ProcessDefinition, ProcessInstance, Task
from app.models.base import UTCDateTime
from app.services.core.access import authorize
from app.services.core.transaction import transaction

PERCENTILES = {"median_wait_s": (1, 2), "p90_wait_s": (9, 10)}  # as fractions: exact integer ranks below
OPEN, DONE = "ready", "completed"  # cancelled tasks neither wait nor were done: not counted
DECIMALS = 3  # milliseconds: beyond that the two databases' float arithmetic may differ


def node_statistics(actor: Actor, key: str) -> list[dict]:
    """One row per node that has had tasks, in node id order."""
    authorize(actor, "definitions.statistics")
    with transaction(readonly=True) as session:
        if not session.scalar(select(exists().where(ProcessDefinition.key == key))):
            raise NotFoundError(f"no deployed process {key!r}")
        query = statistics_query(session.get_bind().dialect.name, key, runtime.clock.now())
        return [_row(row) for row in session.execute(query).mappings()]


def statistics_query(dialect: str, key: str, now, form: str | None = None):
    """The aggregate statement for `dialect` (postgresql or sqlite): node, active, completed, the
    percentile columns, overdue; `form` (one of FORMS) is the dialect's own unless given."""
    at = literal(now, UTCDateTime())
    waits = (select(Task.node_id.label("node"), Task.status, Task.due_at,
                    _seconds(dialect, func.coalesce(Task.closed_at, at), Task.created_at).label("wait"))
             .join(ProcessInstance, ProcessInstance.id == Task.process_instance_id)
             .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
             .where(ProcessDefinition.key == key, _unindexed(dialect, Task.status).in_((OPEN, DONE))))
    return FORMS[form or FORM_OF[dialect]](waits.cte("waits"), at)


def _unindexed(dialect: str, column):
    """SQLite without ANALYZE statistics would walk every task through an ix_task_inbox_* index (status first);
    a unary + keeps the status term off indexes, so it starts from the key (SQLite's documented idiom)."""
    return literal_column(f"+{column.table.name}.{column.name}", column.type) if dialect == "sqlite" else column


def _seconds(dialect: str, end, start):
    """end - start in seconds, exact to the microsecond on both databases."""
    if dialect == "postgresql":
        return cast(func.extract("epoch", end - start), Float)
    # SQLite stores 'YYYY-MM-DD HH:MM:SS.ffffff'; julianday() would round to milliseconds
    whole = cast(func.strftime("%s", end), Integer) - cast(func.strftime("%s", start), Integer)
    micros = cast(func.substr(end, 21, 6), Integer) - cast(func.substr(start, 21, 6), Integer)
    return whole + micros / 1e6


def _counts(waits, at) -> list:
    return [waits.c.node,
            func.count().filter(waits.c.status == OPEN).label("active"),
            func.count().filter(waits.c.status == DONE).label("completed"),
            func.count().filter(and_(waits.c.status == OPEN, waits.c.due_at < at)).label("overdue")]


def _percentile_cont(waits, at):
    columns = [func.percentile_cont(num / den).within_group(waits.c.wait).label(name)
               for name, (num, den) in PERCENTILES.items()]
    return select(*_counts(waits, at), *columns).group_by(waits.c.node).order_by(waits.c.node)


def _interpolated(waits, at):
    """percentile_cont by hand: rank the waits per node, then weigh the two values around p·(n−1)."""
    window = {"partition_by": waits.c.node, "order_by": waits.c.wait}  # one window, so one sort
    ranked = select(waits, (func.row_number().over(**window) - 1).label("i"),
                    func.count().over(**window, rows=(None, None)).label("n")).subquery("ranked")
    columns = [_weighted(ranked, num, den).label(name) for name, (num, den) in PERCENTILES.items()]
    return select(*_counts(ranked, at), *columns).group_by(ranked.c.node).order_by(ranked.c.node)


def _weighted(ranked, num: int, den: int):
    """The value at rank p·(n−1), p = num/den, interpolated between its floor and the next rank."""
    scaled = num * (ranked.c.n - 1)  # integers: floor and remainder are exact (CAST would round on PostgreSQL)
    low = scaled // den  # integer division on both databases
    fraction = cast(scaled % den, Float) / den
    return func.sum(case((ranked.c.i == low, ranked.c.wait * (1 - fraction)),
                         (ranked.c.i == low + 1, ranked.c.wait * fraction), else_=0.0))


def _row(row) -> dict:
    return {"node": row["node"], "active": row["active"], "completed": row["completed"],
            **{name: round(float(row[name]), DECIMALS) for name in PERCENTILES}, "overdue": row["overdue"]}


FORMS = {"percentile_cont": _percentile_cont, "interpolated": _interpolated}  # PostgreSQL runs both
FORM_OF = {"postgresql": "percentile_cont", "sqlite": "interpolated"}
