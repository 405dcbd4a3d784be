"""Shared schema pieces: strict base, problem documents, and the bounded input types every schema uses.

Input limits (docs/decisions.md "Input limits"): money `^[0-9]{1,10}(\\.[0-9]{1,2})?$` (Numeric(12,2)), times
with an offset between 2000-01-01 and 2100-01-01 UTC, periods up to ten years, integers within int32,
at most MAX_ATTACHMENTS attachment ids per call, and a maximum length on every string."""
import re
from datetime import datetime, timezone
from decimal import Decimal

import isodate
from marshmallow import INCLUDE, RAISE, Schema, ValidationError, fields, validate

MONEY_PATTERN = r"^[0-9]{1,10}(\.[0-9]{1,2})?$"
MONEY_MESSAGE = 'a decimal string of ASCII digits, at most two places, 0.00 to 9999999999.99, such as "1000.00"'
EARLIEST = datetime(2000, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(2100, 1, 1, tzinfo=timezone.utc)
TEST_CLOCK_LATEST = datetime(3000, 1, 1, tzinfo=timezone.utc)  # below the engine's parked timers (9000)
MAX_PERIOD_END = datetime(2010, 1, 1, tzinfo=timezone.utc)  # EARLIEST + ten years
PERIOD_PATTERN = r"^P(?=.*[1-9])([0-9]{1,2}Y)?([0-9]{1,3}M)?([0-9]{1,3}W)?([0-9]{1,4}D)?$"
MAX_INT = 2**31 - 1  # Integer columns are int32 on PostgreSQL
MAX_ATTACHMENTS = 20
ATTACHMENT_ID_LENGTH = 32
NAME_LENGTH = 200  # names, specs, carriers and other short free text
TEXT_LENGTH = 5000  # descriptions, reasons, demands, notes
URL_LENGTH = 2000


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE

    def get_attribute(self, obj, attr, default):
        """Dicts by key, rows and views by attribute (no field name has a dot). marshmallow's own asks every
        object for `__getitem__` first: on a read model that is a failed RowView.__getattr__ per field."""
        if isinstance(obj, dict):
            return obj.get(attr, default)
        return getattr(obj, attr, default)


class ActorSchema(StrictSchema):
    name = fields.String()
    role = fields.String()


FIELD_ERRORS = {"type": "object", "description": "validation_failed: messages by (dotted) field path",
                "additionalProperties": {"type": "array", "items": {"type": "string"}}}
BPMN_ERRORS = {"type": "array", "description": "invalid_bpmn: one entry per problem found in the diagram",
               "items": {"type": "object", "properties": {"element_id": {"type": "string", "nullable": True},
                                                          "message": {"type": "string"}}}}


class ProblemSchema(Schema):
    """An RFC 9457 problem document (application/problem+json) with the contract's machine-readable `code`."""

    class Meta:
        unknown = INCLUDE  # RFC 9457 allows extension members

    type = fields.String(required=True, metadata={"format": "uri"})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    code = fields.String(required=True)
    instance = fields.String(metadata={"description": "urn:request:<id>: the request's X-Request-Id, as in the logs"})
    errors = fields.Raw(metadata={"oneOf": [FIELD_ERRORS, BPMN_ERRORS]})
    element_id = fields.String(allow_none=True, metadata={"description": "500 from the engine: the failing element"})


class Money(fields.Field):
    """Money in: a string of ASCII digits, at most ten before the point and two after; anything else is
    refused (no exponent, sign, space, NaN or rounding). Money out: always two places."""

    def __init__(self, **kwargs):
        metadata = {"type": "string", "pattern": MONEY_PATTERN, "example": "1000.00", **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or not re.fullmatch(MONEY_PATTERN, value):
            raise ValidationError(MONEY_MESSAGE)
        return Decimal(value).quantize(Decimal("0.01"))

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else f"{Decimal(value):.2f}"


class Moment(fields.AwareDateTime):
    """An ISO 8601 time with an offset (naive times are refused), from 2000-01-01 to `latest` (2100-01-01 UTC)."""

    def __init__(self, latest: datetime = LATEST, **kwargs):
        self.latest = latest
        metadata = {"example": "2026-11-21T08:00:00+00:00",
                    "description": f"with an offset; between 2000-01-01 and {latest.date()} UTC",
                    **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs)
        if not EARLIEST <= moment <= self.latest:  # aware comparison never overflows, unlike astimezone()
            raise ValidationError(f"must be between {EARLIEST.isoformat()} and {self.latest.isoformat()}")
        return moment


class Period(fields.String):
    """A non-zero ISO 8601 period of years, months, weeks and days (P1M, P1Y), at most ten years."""

    def __init__(self, **kwargs):
        metadata = {"pattern": PERIOD_PATTERN, "example": "P1M", **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, validate=validate.Length(max=20), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if not re.fullmatch(PERIOD_PATTERN, text) or EARLIEST + isodate.parse_duration(text) > MAX_PERIOD_END:
            raise ValidationError("a non-zero ISO 8601 period such as P1M or P1Y, at most P10Y")
        return text


def Text(max_length: int = NAME_LENGTH, **kwargs) -> fields.String:
    """A string with a maximum length (and `min_length`, default 0)."""
    return fields.String(validate=validate.Length(min=kwargs.pop("min_length", 0), max=max_length), **kwargs)


def Cursor() -> fields.String:
    """The `after` query argument of a listing with keyset paging."""
    return Text(400, metadata={"description": "start after this cursor (the opaque `next_after` of a previous "
                                              "page's X-Pagination of the same listing) instead of at `page`: a "
                                              "stable walk at any depth"})


def Version(**kwargs) -> fields.Integer:
    """A process-definition version number: 1 to 2**31 - 1."""
    return fields.Integer(validate=validate.Range(min=1, max=MAX_INT), **kwargs)


def AttachmentIds(**kwargs) -> fields.List:
    """At most MAX_ATTACHMENTS attachment ids (the ids POST /attachments returned)."""
    if not kwargs.get("required"):
        kwargs.setdefault("load_default", list)
    return fields.List(fields.String(validate=validate.Length(min=1, max=ATTACHMENT_ID_LENGTH)),
                       validate=validate.Length(min=kwargs.pop("min_items", 0), max=MAX_ATTACHMENTS,
                                                error="between {min} and {max} attachments"), **kwargs)
