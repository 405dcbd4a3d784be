"""The renewals section of an evidence bundle's summary.html (create_app registers it)."""
from app.extensions import runtime
from app.services.evidence.summary import Context, Section, beijing, register_section, text
from app.services.lifecycle.stack import renewals_of
from app.services.lifecycle.views import present_renewals


def register() -> None:
    register_section(renewals_section)


def renewals_section(context: Context) -> Section | None:
    """Each renewal period with its dates as the chain gives them now; nothing for an order without any."""
    renewals = renewals_of(context.session, context.order.id)
    if not renewals:
        return None
    rows = [[r.renewal_no, r.kind, r.period, text(r.amount_paid), beijing(r.paid_at),
             r.start and beijing(r.start) or "", r.end and beijing(r.end) or "", r.status,
             "yes / 是" if r.effective else "no / 否"]
            for r in present_renewals(context.order, renewals, runtime.clock.now())]
    columns = (("Renewal no.", "续费单号"), ("Kind", "类型"), ("Period", "周期"), ("Amount paid", "实付金额"),
               ("Paid at", "支付时间"), ("Start", "开始时间"), ("End", "到期时间"), ("Status", "状态"),
               ("In effect", "已生效"))
    return Section(("Renewals", "续费"), columns, rows)
