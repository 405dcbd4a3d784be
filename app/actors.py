"""Who acts: the Actor value, the roles and the review roles. A leaf: it imports nothing of the app."""
from dataclasses import dataclass

BUYER, SELLER, OPS, ANALYST, REVIEWER, PLATFORM, ADMIN = (
    "buyer", "seller", "ops", "analyst", "reviewer", "platform", "admin")
BUSINESS = "business"  # 商务人员: the Weaver store's business staff, who review purchase applications
ROLES = (BUYER, SELLER, OPS, ANALYST, REVIEWER, PLATFORM, ADMIN, BUSINESS)
REVIEW_ROLES = ("base_manager", "rep_office", "product_dept", "cloud_review")
SYSTEM_ROLE = "system"


@dataclass(frozen=True)
class Actor:
    """Who did something: a principal's name and role, or the system."""

    name: str
    role: str
    review_role: str | None = None
    tenant: str | None = None  # the Weaver store's tenant of the principal, if it has one


SYSTEM = Actor("system", SYSTEM_ROLE)
