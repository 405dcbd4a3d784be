"""Table 6-1 of the buyer guide (§6.3, docs/domain.md §5.2) row by row, and the remarks as why_not codes,
on plain values (no database)."""
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from types import SimpleNamespace

import pytest

from app.services.refunds import rules
from app.services.refunds.rules import FIVE_DAY, NEGOTIATED, NONE, RefundFacts, first_refusal, refund_rule

# (guide's product type, billing mode, supervised, rule), copied from Table 6-1 in the order of the guide
GUIDE_TABLE_6_1 = [
    ("saas", "periodic", True, NEGOTIATED),        # SaaS 包周期 涉及服务监管 -> 保障期内协商退订
    ("saas", "periodic", False, FIVE_DAY),         # SaaS 包周期 不涉及服务监管 -> 5天无理由全额退订
    ("saas", "one_off", True, NEGOTIATED),         # SaaS 一次性 涉及服务监管 -> 协商退订
    ("saas", "one_off", False, NONE),              # SaaS 一次性 不涉及 -> 不支持退订
    ("saas", "on_demand", False, NONE),            # SaaS 按需/按需套餐 -> 不支持退订
    ("license", "periodic", True, NEGOTIATED),
    ("license", "one_off", True, NEGOTIATED),
    ("manual_service", "periodic", True, NEGOTIATED),
    ("manual_service", "one_off", True, NEGOTIATED),
    ("hardware", "periodic", True, NEGOTIATED),
    ("hardware", "one_off", True, NEGOTIATED),
    ("image", "periodic", False, FIVE_DAY),        # 镜像 包周期 -> 5天无理由全额退订
    ("image", "on_demand", False, NONE),
    ("api", "one_off", False, NONE),               # API 一次性（按次套餐包）
    ("api", "on_demand", False, NONE),
    ("ai_asset", "periodic", False, NONE),
    ("ai_asset", "one_off", False, NONE),
    ("container", "periodic", False, NONE),
    ("data_file", "one_off", True, NEGOTIATED),    # 数据资产 一次性 涉及服务监管
    ("data_asset", "one_off", False, NONE),        # 数据资产 一次性 不涉及服务监管
]


@pytest.mark.parametrize(("delivery_type", "mode", "supervised", "rule"), GUIDE_TABLE_6_1,
                         ids=[f"{t}-{m}-{'supervised' if s else 'unsupervised'}" for t, m, s, _ in GUIDE_TABLE_6_1])
def test_each_row_of_table_6_1(delivery_type, mode, supervised, rule):
    assert refund_rule(delivery_type, mode, supervised) == rule


def test_the_table_as_data_is_exactly_the_guides_rows_plus_orchestration():
    assert {(t, m, s): r for t, m, s, r in GUIDE_TABLE_6_1} == \
        {k: v for k, v in rules.TABLE_6_1.items() if k[0] != "orchestration"}


@pytest.mark.parametrize("mode", ["periodic", "one_off", "on_demand"])
def test_orchestration_missing_from_the_table_is_negotiated_when_supervised(mode):
    """Contract: every supervised delivery type, orchestration included, is negotiated."""
    assert refund_rule("orchestration", mode, True) == NEGOTIATED


def test_rows_the_table_does_not_list_follow_supervision():
    assert refund_rule("saas", "on_demand", True) == NEGOTIATED
    assert refund_rule("container", "one_off", False) == NONE
    assert refund_rule("saas_instant", "periodic", False) == FIVE_DAY


NOW = datetime(2026, 3, 10, 8, 0, tzinfo=timezone.utc)


def facts(**changes) -> RefundFacts:
    return RefundFacts(**{"rule": NEGOTIATED, "status": "processing", "paid_at": NOW - timedelta(days=1),
                          "now": NOW, **changes})


@pytest.mark.parametrize(("changes", "code"), [
    ({}, None),
    ({"status": "completed"}, "guarantee_period_over"),  # remarks: supervision completed
    ({"authcode_claimed": True}, "authcode_claimed"),  # §5.3: claiming the code disables refunds
    ({"trial": True}, "trial"),  # SaaS remarks: trial orders
    ({"validity_end": NOW}, "validity_over"),  # remarks: orders past validity
    ({"validity_end": NOW + timedelta(seconds=1)}, None),
    ({"frozen": True}, "order_frozen"),
    ({"refund_open": True}, "refund_open"),
    ({"invoice_not_returned": True}, "invoice_not_returned"),  # §6.3: invoices first
    ({"in_transit": True}, "in_transit"),  # §6.3.2.3: shipped goods cannot be "not received"
    ({"rule": NONE, "status": "completed"}, "not_refundable"),
    ({"status": "refunded"}, "already_refunded"),
    ({"rule": FIVE_DAY, "status": "completed"}, None),
    ({"rule": FIVE_DAY, "status": "completed", "paid_at": NOW - timedelta(days=5)}, None),  # within 5 days
    ({"rule": FIVE_DAY, "status": "completed", "paid_at": NOW - timedelta(days=5, seconds=1)},
     "five_day_window_over"),
    ({"rule": FIVE_DAY, "status": "completed", "quota_used": 9}, None),
    ({"rule": FIVE_DAY, "status": "completed", "quota_used": 10}, "quota_exhausted"),  # 10 a calendar year
])
def test_the_remarks_as_why_not_codes(changes, code):
    found = first_refusal(facts(**changes))
    assert found == code
    assert code is None or rules.DETAILS[code]


def test_the_quota_year_is_beijings():
    """Counted from Jan 1 in Beijing time: 16:00 UTC on Dec 31 is already the next year there."""
    assert rules.beijing_year(datetime(2026, 12, 31, 15, 59, tzinfo=timezone.utc)) == 2026
    assert rules.beijing_year(datetime(2026, 12, 31, 16, 0, tzinfo=timezone.utc)) == 2027


def test_milestone_orders_cap_the_negotiated_refund_at_the_unaccepted_milestones():
    """§6.3: completed-milestone amounts are not refundable."""
    order = SimpleNamespace(amount_paid=Decimal("1000.00"), milestones=[
        {"name": "one", "amount": "400.00", "accepted_at": "2026-03-01T00:00:00+00:00"},
        {"name": "two", "amount": "600.00", "accepted_at": None}])
    assert rules.max_amount(order, NEGOTIATED) == Decimal("600.00")
    assert rules.max_amount(SimpleNamespace(amount_paid=Decimal("1000.00"), milestones=None), NEGOTIATED) == \
        Decimal("1000.00")
    assert rules.max_amount(order, NONE) == Decimal("0.00")


def test_trial_is_read_from_the_order_where_the_trials_feature_puts_it():
    assert rules.is_trial(SimpleNamespace()) is False
    assert rules.is_trial(SimpleNamespace(trial=True)) is True
