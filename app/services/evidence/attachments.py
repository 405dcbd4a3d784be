"""Attachments: bytes in a content-addressed file store, metadata and order links in the database."""
import hashlib
import os
import tempfile
from pathlib import Path

from sqlalchemy import String, bindparam, exists, insert, select
from sqlalchemy.orm import aliased

from app.errors import NotFoundError, PayloadTooLargeError, ValidationFailedError
from app.extensions import runtime
from app.models import Attachment, AttachmentLink, Order
from app.services.core.access import allowed, is_party
from app.services.core.rows import any_of
from app.actors import Actor
from app.services.core.transaction import transaction

CHUNK = 1024 * 1024
MAX_FILENAME = 255
MAX_CONTENT_TYPE = 200  # attachment.content_type is String(200)


def _store_dir() -> Path:
    return Path(runtime.settings["ATTACHMENT_DIR"])


def blob_path(sha256: str) -> Path:
    return _store_dir() / sha256[:2] / sha256


def upload(actor: Actor, stream, filename: str, content_type: str) -> Attachment:
    """Copy `stream` into the store (refusing more than the limit) and record who uploaded it.

    The bytes wait in a temporary file until the row is committed and only then take their
    content-addressed place, so a failed insert leaves nothing behind and never touches a blob
    that another upload of the same content committed."""
    filename, content_type = filename or "upload", content_type or "application/octet-stream"
    _check_names(filename, content_type)
    tmp, sha256, size = _spool(stream, runtime.settings["MAX_ATTACHMENT_BYTES"])
    try:
        with transaction() as session:
            row = Attachment(filename=filename, content_type=content_type, size=size, sha256=sha256,
                             uploader=actor.name, created_at=runtime.clock.now())
            session.add(row)
            session.flush()
        _place(tmp, sha256)
    finally:
        tmp.unlink(missing_ok=True)
    return row


def _check_names(filename: str, content_type: str) -> None:
    """What the columns hold on every database (SQLite would store any length, PostgreSQL refuses)."""
    errors = {}
    if len(filename) > MAX_FILENAME or any(ord(c) < 32 or ord(c) == 127 for c in filename):
        errors["filename"] = [f"at most {MAX_FILENAME} characters, no control characters"]
    if len(content_type) > MAX_CONTENT_TYPE or any(ord(c) < 32 or ord(c) > 126 for c in content_type):
        errors["content_type"] = [f"at most {MAX_CONTENT_TYPE} printable ASCII characters"]
    if errors:
        raise ValidationFailedError(errors)


def _spool(stream, limit: int) -> tuple[Path, str, int]:
    """The stream in a temporary file of the store's directory, with its sha256 and size."""
    _store_dir().mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    with tempfile.NamedTemporaryFile(dir=_store_dir(), prefix=".upload-", delete=False) as tmp:
        try:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise PayloadTooLargeError(f"attachments are limited to {limit} bytes", limit_bytes=limit)
                digest.update(chunk)
                tmp.write(chunk)
        except BaseException:
            tmp.close()
            os.unlink(tmp.name)
            raise
    return Path(tmp.name), digest.hexdigest(), size


def _place(tmp: Path, sha256: str) -> None:
    """Move the bytes to their content address; identical bytes already there stay as they are."""
    target = blob_path(sha256)
    target.parent.mkdir(exist_ok=True)
    if not target.exists():
        os.replace(tmp, target)  # atomic on one file system; a concurrent twin writes the same bytes


def readable(actor: Actor, attachment_id: str) -> tuple[Attachment, Path]:
    """The attachment and its file path, if the actor may read it: uploader, parties of a linked order, staff."""
    with transaction(readonly=True) as session:
        row = session.get(Attachment, attachment_id)
        if row is None or not _may_read(session, actor, row):
            raise NotFoundError("no such attachment")
        return row, blob_path(row.sha256)


def _may_read(session, actor: Actor, row: Attachment) -> bool:
    if allowed(actor, "attachments.read_all") or row.uploader == actor.name:
        return True
    orders = session.scalars(select(Order).join(AttachmentLink, AttachmentLink.order_id == Order.id)
                             .where(AttachmentLink.attachment_id == row.id))
    return any(is_party(actor, order) for order in orders)


def own_attachments(session, actor: Actor, attachment_ids: list[str]) -> list[str]:
    """The ids, once each, after checking each is the actor's own upload (422 naming the others)."""
    wanted = list(dict.fromkeys(attachment_ids))
    if not wanted:
        return wanted
    _refuse_unknown(wanted, set(session.scalars(OWN_AMONG, {"ids": wanted, "actor": actor.name})))
    return wanted


def _refuse_unknown(wanted: list[str], own: set[str]) -> None:
    unknown = [a for a in wanted if a not in own]
    if unknown:
        raise ValidationFailedError({"attachments": [f"unknown attachment {a}" for a in unknown]})


def link_attachments(session, actor: Actor, order_id: str, attachment_ids: list[str]) -> None:
    """Reference attachments from an order; each must be the actor's own upload (evidence is one's own).

    One statement whatever the count (the schemas cap it at MAX_ATTACHMENTS): the links of the actor's own
    uploads among the ids that the order lacks, inserted at once (a Core INSERT, so a later call in the same
    transaction sees them). Only ids it did not link (linked before, or not the actor's) are read again, to
    refuse the ones that are not the actor's; the refusal rolls the links back with the transaction."""
    wanted = list(dict.fromkeys(attachment_ids))
    if not wanted:
        return
    params = {"ids": wanted, "actor": actor.name, "order_id": order_id}
    linked = set(session.scalars(LINK_OWN, params))
    rest = [a for a in wanted if a not in linked]
    if rest:
        _refuse_unknown(rest, set(session.scalars(OWN_AMONG, {"ids": rest, "actor": actor.name})))


# built once: every action with evidence runs them
_EARLIER = aliased(AttachmentLink)
LINK_OWN = (insert(AttachmentLink.__table__).from_select(
    ["attachment_id", "order_id"],
    select(Attachment.id, bindparam("order_id", type_=String)).where(
        any_of(Attachment.id), Attachment.uploader == bindparam("actor"),
        ~exists().where(_EARLIER.attachment_id == Attachment.id, _EARLIER.order_id == bindparam("order_id"))))
    .returning(AttachmentLink.__table__.c.attachment_id))
OWN_AMONG = select(Attachment.id).where(any_of(Attachment.id), Attachment.uploader == bindparam("actor"))
