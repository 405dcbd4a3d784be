"""Names of the data every process starts with (a leaf: orders, refunds and definitions need them)."""

ROUTING_FACTS = ("delivery_type", "manual_kind", "license_mode", "goods_class", "scenario")
# milestone_count / milestones_accepted: staged acceptance (0 milestones: one acceptance completes, as before)
START_DATA_NAMES = ("order_id", "order_no", *ROUTING_FACTS, "amount_paid", "billing_mode", "auto_accept_at",
                    "milestone_count", "milestones_accepted")
REFUND_START_NAMES = ("order_id", "order_no", "refund_id", "refund_amount", "goods", "contact_seller_at")
PURCHASE_START_NAMES = ("application_id", "app_id", "tenant", "application_kind", "special")
