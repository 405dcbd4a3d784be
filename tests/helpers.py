"""Small assertions and reads shared by the API tests."""
from contextlib import contextmanager

ORDERS = "/api/v1/orders"


@contextmanager
def recorded_statements():
    """The SQL the application's engine sends while the block runs, as a list of statement strings."""
    from sqlalchemy import event
    from app.extensions import db
    seen: list[str] = []

    def record(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def ok(response, status: int = 200) -> dict:
    """The JSON body of a response that must have `status`."""
    assert response.status_code == status, response.text
    return response.json()


def get_order(api, who, order) -> dict:
    return ok(api.get(f"{ORDERS}/{order['id']}", who.token))


def history(api, who, order) -> list[dict]:
    return ok(api.get(f"{ORDERS}/{order['id']}/history", who.token))


def assert_names_field(problem_body: dict, field: str) -> None:
    """The 422 names `field` in `errors` ({field: [messages]}), as a data field or by a dotted path."""
    errors = problem_body.get("errors") or {}
    named = [key for key in errors
             if key in (field, f"data.{field}") or key.startswith((f"{field}.", f"data.{field}."))]
    assert named, errors
    assert all(isinstance(errors[key], list) and errors[key] for key in named), errors
