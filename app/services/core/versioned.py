"""Writing a batch of process instances in one statement. The ORM sends one UPDATE per row of a versioned
mapper (it reads each row's count to catch a lost update), so a timer batch of 100 instances paid 100 round
trips at its commit; here the rows that changed the same columns go out as one executemany, still checked
by `version_id`, and the batch fails whole when any row was changed meanwhile."""
from collections import defaultdict
from functools import cache

from sqlalchemy import bindparam, inspect, update
from sqlalchemy.orm.attributes import set_committed_value

from app.errors import ConflictError
from app.models import ProcessInstance

TABLE = ProcessInstance.__table__
# the columns a save may change (the key, what it belongs to and its version are not among them)
COLUMNS = tuple(c.key for c in TABLE.columns if c.key not in ("id", "order_id", "application_id", "kind", "version_id"))


def save_instances(session, instances) -> None:
    """Write the pending column changes of `instances`, each row checked by its `version_id`, one statement per
    set of changed columns; afterwards the session's flush has nothing left to write for them."""
    groups: dict[tuple[str, ...], list[ProcessInstance]] = defaultdict(list)
    for instance in instances:
        attrs = inspect(instance).attrs
        changed = tuple(key for key in COLUMNS if attrs[key].history.has_changes())
        if changed:
            groups[changed].append(instance)
    for columns, group in groups.items():
        _update(session, columns, group)


@cache  # a statement per set of columns, built once (a save changes one of a few such sets)
def _statement(columns: tuple[str, ...]):
    values = {key: bindparam(f"b_{key}", type_=TABLE.c[key].type) for key in columns}
    return (update(TABLE).where(TABLE.c.id == bindparam("b_id"), TABLE.c.version_id == bindparam("b_version"))
            .values({**values, "version_id": bindparam("b_next")}))


def _update(session, columns: tuple[str, ...], group: list[ProcessInstance]) -> None:
    rows = [{"b_id": i.id, "b_version": i.version_id, "b_next": i.version_id + 1,
             **{f"b_{key}": getattr(i, key) for key in columns}} for i in group]
    matched = session.connection().execute(_statement(columns), rows).rowcount
    if matched != len(rows):
        raise ConflictError(f"{len(rows) - matched} of {len(rows)} process instances changed since they were read")
    for instance, row in zip(group, rows):
        for key in columns:
            set_committed_value(instance, key, row[f"b_{key}"])
        set_committed_value(instance, "version_id", row["b_next"])
