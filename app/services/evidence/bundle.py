"""An order's evidence bundle: a ZIP a third party can check offline (history.json with the whole hash
chain, the attachments under their sha256, verify.py and a printable summary.html)."""
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from app.actors import Actor
from app.models import Attachment, AttachmentLink
from app.services.core import hashchain
from app.services.core.access import authorize, visible_order
from app.services.core.audit import HISTORY, chain_record
from app.services.core.transaction import transaction
from app.services.evidence.attachments import blob_path
from app.services.evidence.summary import render_summary
from app.services.evidence.zipstream import Member, stream_zip

FORMAT = 1
VERIFY_SCRIPT = Path(hashchain.__file__)  # the platform's own canonical form, shipped verbatim


@dataclass(frozen=True)
class Bundle:
    filename: str
    members: list[Member]

    def stream(self) -> Iterator[bytes]:
        return stream_zip(self.members)


def evidence_bundle(actor: Actor, order_id: str) -> Bundle:
    """The order's bundle, for its buyer and seller, operations and admins (others: 404 or 403)."""
    authorize(actor, "orders.evidence")
    with transaction(readonly=True) as session:
        order = visible_order(session, actor, order_id)
        records = [chain_record(e) for e in session.scalars(HISTORY, {"order_id": order.id})]
        manifest = attachment_manifest(session, order.id)
        history = {"format": FORMAT, "order_id": order.id, "order_no": order.order_no,
                   "head": {"seq": order.audit_head_seq, "hash": order.audit_head_hash},
                   "events": records, "attachments": manifest}
        summary = render_summary(session, order, records, manifest)
        filename = f"evidence-{re.sub(r'[^A-Za-z0-9_.-]', '_', order.order_no)}.zip"
    return Bundle(filename, [
        Member("history.json", json.dumps(history, ensure_ascii=False, indent=1, default=str).encode()),
        Member("verify.py", VERIFY_SCRIPT.read_bytes()),
        Member("summary.html", summary.encode()),
        *_attachment_members(manifest)])


def attachment_manifest(session, order_id: str) -> list[dict]:
    """Every attachment the order references (actions, appeals), oldest first."""
    rows = session.scalars(select(Attachment).join(AttachmentLink, AttachmentLink.attachment_id == Attachment.id)
                           .where(AttachmentLink.order_id == order_id)
                           .order_by(Attachment.created_at, Attachment.id))
    return [{"id": a.id, "sha256": a.sha256, "filename": a.filename, "content_type": a.content_type,
             "size": a.size} for a in rows]


def _attachment_members(manifest: list[dict]) -> list[Member]:
    """One file per distinct content; a blob missing from the store is left out, and verify.py says so."""
    shas = dict.fromkeys(entry["sha256"] for entry in manifest)
    paths = {sha: blob_path(sha) for sha in shas}
    return [Member(f"attachments/{sha}", path=path) for sha, path in paths.items() if path.is_file()]
