"""Keyset paging: the rows after a cursor, read through an index instead of counting past OFFSET rows.

A cursor is opaque to clients: base64url of JSON [listing, sort values of the last row of a page]. It names
its listing, so a cursor of /tasks is refused by /orders (docs/decisions.md, "Keyset pagination")."""
import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import DateTime, literal, tuple_

from app.errors import ValidationFailedError
from app.text import unstorable

NOT_A_CURSOR = "not a cursor of this listing: pass the next_after of a previous page's X-Pagination"


@dataclass(frozen=True)
class Keyset:
    """A listing's sort order: non-null columns, all in one direction, the last one unique (the id)."""

    name: str
    columns: tuple
    descending: bool = False

    def order_by(self) -> list:
        return [column.desc() if self.descending else column for column in self.columns]

    def cursor(self, row) -> str:
        """The cursor of the rows after `row`."""
        values = [_plain(getattr(row, column.key)) for column in self.columns]
        raw = json.dumps([self.name, *values], separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def after(self, cursor: str):
        """SQL condition for the rows after the cursor's row in this order (422 for a bad cursor)."""
        values = [literal(value, column.type) for value, column in zip(self._decode(cursor), self.columns)]
        keys, bound = tuple_(*self.columns), tuple_(*values)
        return keys < bound if self.descending else keys > bound

    def _decode(self, cursor: str) -> list:
        try:
            decoded = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        except (binascii.Error, ValueError):
            decoded = None
        if not isinstance(decoded, list) or len(decoded) != len(self.columns) + 1 or decoded[0] != self.name:
            raise ValidationFailedError({"after": [NOT_A_CURSOR]})
        return [_typed(value, column) for value, column in zip(decoded[1:], self.columns)]


def _plain(value):
    return value.isoformat() if isinstance(value, datetime) else value


def _typed(value, column):
    """A cursor value as its column's Python type: an aware datetime or a string (ids)."""
    if not isinstance(value, str) or len(value) > 64 or unstorable(value):
        raise ValidationFailedError({"after": [NOT_A_CURSOR]})
    if not isinstance(getattr(column.type, "impl", column.type), DateTime):
        return value
    try:
        instant = datetime.fromisoformat(value)
        instant = instant.astimezone(timezone.utc) if instant.tzinfo is not None else None
    except (ValueError, OverflowError):  # e.g. 0001-01-01T00:00+01:00 has no UTC instant
        instant = None
    if instant is None:
        raise ValidationFailedError({"after": [NOT_A_CURSOR]})
    return instant

