"""summary.html of an evidence bundle: a printable page of sections, each a table with English and
Chinese headings. Features add their own section (refunds, renewals) with register_section."""
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import select

from app.extensions import runtime
from app.models import Appeal, Order, ProcessInstance, Task
from app.services.core.definitions import parsed

BEIJING = timezone(timedelta(hours=8), "UTC+8")
_TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).resolve().parent),
                         autoescape=select_autoescape(default=True, default_for_string=True))


@dataclass(frozen=True)
class Section:
    """One table of the page: a bilingual title, bilingual column headings, rows of text cells."""

    title: tuple[str, str]  # (English, 中文)
    columns: tuple[tuple[str, str], ...]
    rows: list[list[str]] = field(default_factory=list)
    empty: tuple[str, str] = ("None", "无")


@dataclass(frozen=True)
class Context:
    """What every section builder gets: the session, the order, its audit records and node labels."""

    session: object
    order: Order
    records: list[dict]
    attachments: list[dict]  # history.json's manifest: id, sha256, filename, content_type, size
    labels: dict[str, tuple[str, str | None]]  # node id -> (English name, Chinese name)


SectionBuilder = Callable[[Context], Section | None]  # None: nothing to show for this order
SECTIONS: list[SectionBuilder] = []


def register_section(builder: SectionBuilder) -> SectionBuilder:
    """Add a section to every summary, after those registered before it (usable as a decorator)."""
    if builder not in SECTIONS:
        SECTIONS.append(builder)
    return builder


def render_summary(session, order: Order, records: list[dict], attachments: list[dict]) -> str:
    """The page for one order (records: its audit chain as app.services.core.audit.chain_record gives it)."""
    context = Context(session, order, records, attachments, node_labels(session, order))
    sections = [s for s in (build(context) for build in SECTIONS) if s is not None]
    return _TEMPLATES.get_template("summary.html").render(
        order=order, sections=sections, head=records[-1]["hash"] if records else None,
        generated=beijing(None))


def node_labels(session, order: Order) -> dict[str, tuple[str, str | None]]:
    """Names of the nodes of the order's processes: the diagrams' names, then the task rows' (as shown then)."""
    labels: dict[str, tuple[str, str | None]] = {}
    for instance in session.scalars(select(ProcessInstance).where(ProcessInstance.order_id == order.id)):
        labels.update(parsed(instance.definition).labels)
    for node_id, name, name_zh in session.execute(select(Task.node_id, Task.name, Task.name_zh)
                                                  .where(Task.order_id == order.id)):
        labels[node_id] = (name, name_zh or labels.get(node_id, (None, None))[1])
    return labels


def beijing(at: datetime | None) -> str:
    """The time as the marketplace's people read it (now when None)."""
    return (at or runtime.clock.now()).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S UTC+8")


def text(value) -> str:
    return "" if value is None else str(value)


@register_section
def order_section(context: Context) -> Section:
    order = context.order
    product = order.product or {}
    facts = [(("Order no.", "订单号"), order.order_no), (("Order id", "订单标识"), order.id),
             (("Product", "商品"), product.get("name")), (("Delivery type", "交付类型"), order.delivery_type),
             (("Amount paid", "实付金额"), order.amount_paid), (("Paid at", "支付时间"), beijing(order.paid_at)),
             (("Status", "状态"), order.status),
             (("Completed at", "完成时间"), order.completed_at and beijing(order.completed_at)),
             (("Refund amount", "退款金额"), order.refund_amount)]
    return Section(("Order", "订单"), (("Field", "字段"), ("Value", "值")),
                   [[f"{en} / {zh}", text(value)] for (en, zh), value in facts])


@register_section
def parties_section(context: Context) -> Section:
    order = context.order
    parties = [(("Buyer", "买家"), order.buyer), (("Seller", "服务商"), order.seller),
               (("Placed by (marketplace)", "下单平台"), order.placed_by)]
    return Section(("Parties", "当事方"), (("Role", "角色"), ("Name", "名称")),
                   [[f"{en} / {zh}", text(name)] for (en, zh), name in parties])


@register_section
def timeline_section(context: Context) -> Section:
    rows = []
    for record in context.records:
        name, name_zh = context.labels.get(record["node"], (record["node"], None)) if record["node"] else ("", None)
        at = datetime.fromisoformat(record["at"])
        rows.append([str(record["seq"]), beijing(at), f"{record['actor']['name']} ({record['actor']['role']})",
                     record["type"], text(name), text(name_zh), text(record["action"]),
                     json.dumps(record["data"], ensure_ascii=False, default=str) if record["data"] else "",
                     ", ".join(record["attachments"]), record["hash"][:16]])
    columns = (("#", "序号"), ("At", "时间"), ("Actor", "操作人"), ("Event", "事件"), ("Node", "节点"),
               ("Node (Chinese)", "节点名称"), ("Action", "操作"), ("Data", "数据"), ("Attachments", "附件"),
               ("Hash", "哈希"))
    return Section(("Timeline", "操作记录"), columns, rows)


@register_section
def appeals_section(context: Context) -> Section:
    appeals = context.session.scalars(select(Appeal).where(Appeal.order_id == context.order.id)
                                      .order_by(Appeal.opened_at)).all()
    rows = [[beijing(a.opened_at), f"{a.appellant} ({a.appellant_role})", a.reason, a.demand, a.status,
             text(a.outcome), text(a.note), text(a.refund_amount), text(a.resolved_by),
             a.resolved_at and beijing(a.resolved_at) or ""] for a in appeals]
    columns = (("Opened", "申诉时间"), ("Appellant", "申诉人"), ("Reason", "原因"), ("Demand", "诉求"),
               ("Status", "状态"), ("Outcome", "处理结果"), ("Note", "说明"), ("Refund", "退款金额"),
               ("Resolved by", "处理人"), ("Resolved", "处理时间"))
    return Section(("Appeals", "申诉"), columns, rows)


@register_section
def attachments_section(context: Context) -> Section:
    rows = [[a["id"], a["filename"], a["content_type"], str(a["size"]), f"attachments/{a['sha256']}"]
            for a in context.attachments]
    columns = (("Id", "标识"), ("File name", "文件名"), ("Type", "类型"), ("Bytes", "字节数"),
               ("In this bundle", "包内路径"))
    return Section(("Attachments", "附件"), columns, rows)
