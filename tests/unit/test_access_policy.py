"""The policy table of app/services/core/access.py, row by row, and its ownership rules on in-memory models.

The grid below is the authorization section of docs/api-contract.md ("Principals and authentication") and
the decisions in docs/decisions.md, written out by hand: x = allowed, . = forbidden (403). Whose order or
task it is comes on top (ownership rules, further down). tests/api/test_authorization.py checks the same
over HTTP."""
import pytest

from app.actors import ADMIN, ANALYST, BUSINESS, BUYER, OPS, PLATFORM, REVIEW_ROLES, REVIEWER, ROLES, SELLER, SYSTEM, Actor
from app.errors import ForbiddenError
from app.models import App, Order, PurchaseApplication, Task
from app.services.core import access

GRID = """
                           buyer seller ops analyst reviewer platform admin business
orders.place                 .     .     .     .       .        x       .     .
orders.read                  x     x     x     .       x        x       x     .
orders.read_all              .     .     x     .       x        .       x     .
orders.read_any_diagram      .     .     .     x       .        .       .     .
orders.read_authcode         x     .     x     x       x        x       x     .
orders.read_engine_error     .     .     x     x       .        .       x     .
orders.evidence              x     x     x     .       .        .       x     .
orders.appeal                x     x     .     .       .        .       .     .
tasks.complete               x     x     .     .       x        .       .     .
tasks.inbox                  x     x     x     .       x        .       .     x
tenants.create               .     .     .     .       .        .       x     .
apps.publish                 .     x     .     .       .        .       .     .
applications.apply           x     .     .     .       .        .       .     .
applications.read            x     x     x     .       .        .       x     x
applications.read_all        .     .     x     .       .        .       x     x
applications.act             x     .     x     .       .        .       .     x
entitlements.read            x     .     x     .       .        .       x     x
entitlements.read_all        .     .     x     .       .        .       x     x
entitlements.check           x     .     .     .       .        .       .     .
refunds.request              x     .     .     .       .        .       .     .
refunds.options              x     .     x     .       .        .       x     .
refunds.read                 x     x     x     .       .        .       x     .
refunds.read_all             .     .     x     .       .        .       x     .
refunds.appeal               x     .     .     .       .        .       .     .
accounts.read_own            x     .     .     .       .        .       .     .
appeals.list                 .     .     x     .       .        .       x     .
appeals.claim                .     .     x     .       .        .       .     .
appeals.resolve              .     .     x     .       .        .       .     .
logistics.record             .     .     .     .       .        x       .     .
authcodes.activate           .     x     .     .       .        .       .     .
attachments.read_all         .     .     x     .       x        .       x     .
definitions.read             .     .     x     x       .        .       x     .
definitions.statistics       .     .     x     x       .        .       .     .
definitions.deploy           .     .     .     x       .        .       x     .
definitions.migrate          .     .     .     x       .        .       x     .
principals.create            .     .     .     .       .        .       x     .
invoices.apply               x     .     .     .       .        .       .     .
invoices.withdraw            x     .     .     .       .        .       .     .
invoices.return              x     .     .     .       .        .       .     .
invoices.issue               .     x     .     .       .        x       .     .
invoices.confirm_return      .     x     .     .       .        x       .     .
invoices.read                x     x     x     .       .        x       x     .
merchant.production_interface .     x     .     .     .     .     x     .
merchant.access_keys         .     x     .     .     .     .     x     .
callbacks.read               .     x     x     .     .     .     x     .
callbacks.read_all           .     .     x     .     .     .     x     .
callbacks.retry              .     x     x     .     .     .     .     .
notifications.read           x     x     x     x       x        x       x     x
"""


def _grid() -> tuple[tuple[str, ...], dict[str, dict[str, bool]]]:
    header, *rows = [line.split() for line in GRID.strip().splitlines()]
    return tuple(header), {name: dict(zip(header, (mark == "x" for mark in marks), strict=True))
                           for name, *marks in rows}


COLUMNS, EXPECTED = _grid()
CELLS = [(permission, role, allowed) for permission, row in EXPECTED.items() for role, allowed in row.items()]


def test_the_grid_has_a_column_per_role_and_a_row_per_permission():
    assert sorted(COLUMNS) == sorted(ROLES)
    assert list(EXPECTED) == list(access.POLICY)


@pytest.mark.parametrize(("permission", "role", "expected"), CELLS, ids=[f"{p}-{r}" for p, r, _ in CELLS])
def test_each_cell_of_the_table(permission, role, expected):
    actor = Actor("someone", role, "base_manager" if role == REVIEWER else None)
    assert access.allowed(actor, permission) is expected
    if expected:
        access.authorize(actor, permission)
    else:
        with pytest.raises(ForbiddenError, match=permission):
            access.authorize(actor, permission)


@pytest.mark.parametrize("permission", list(access.POLICY))
def test_the_system_and_unknown_roles_hold_no_permission(permission):
    for actor in (SYSTEM, Actor("eve", "superuser")):
        with pytest.raises(ForbiddenError):
            access.authorize(actor, permission)


def test_a_permission_missing_from_the_table_is_a_bug_not_a_refusal():
    with pytest.raises(KeyError):
        access.allowed(Actor("ada", ADMIN), "orders.delete")


def test_every_role_with_a_partial_view_has_an_owner_rule():
    partial = access.POLICY["orders.read"] - access.POLICY["orders.read_all"]
    assert partial == set(access.OWNER_COLUMN)
    assert access.POLICY["orders.appeal"] == set(access.PARTY_COLUMN)
    assert access.POLICY["tasks.inbox"] == set(access.TASK_OWNER)
    assert access.POLICY["tasks.complete"] <= access.POLICY["tasks.inbox"]


# -- ownership rules on in-memory models ------------------------------------------------------------------

ORDER = Order(buyer="bob", seller="sam", placed_by="market")
PEOPLE = {
    "the buyer": (Actor("bob", BUYER), True, True),  # (actor, owns, is a party)
    "another buyer": (Actor("bea", BUYER), False, False),
    "the seller": (Actor("sam", SELLER), True, True),
    "another seller": (Actor("sue", SELLER), False, False),
    "the placing platform": (Actor("market", PLATFORM), True, False),
    "another platform": (Actor("market2", PLATFORM), False, False),
    "a seller named like the buyer": (Actor("bob", SELLER), False, False),
    "a platform named like the buyer": (Actor("bob", PLATFORM), False, False),
    "ops": (Actor("olga", OPS), False, False),
    "a reviewer": (Actor("rita", REVIEWER, "base_manager"), False, False),
    "an analyst": (Actor("ana", ANALYST), False, False),
    "an admin": (Actor("ada", ADMIN), False, False),
}
READS = {"the buyer", "the seller", "the placing platform", "ops", "a reviewer", "an admin"}


@pytest.mark.parametrize("who", list(PEOPLE))
def test_whose_order_it_is(who):
    actor, owns, party = PEOPLE[who]
    assert access.owns(actor, ORDER) is owns
    assert access.is_party(actor, ORDER) is party
    assert access.may_read(actor, ORDER) is (who in READS)


def _task(role: str, assignee: str | None = None, review_role: str | None = None,
          application_id: str | None = None) -> Task:
    return Task(role=role, assignee=assignee, review_role=review_role, node_id="n", actions=["go"],
                application_id=application_id)


TASKS = [  # (task, actor, may act)
    (_task(BUYER, "bob"), Actor("bob", BUYER), True),
    (_task(BUYER, "bob"), Actor("bea", BUYER), False),
    (_task(BUYER, "bob"), Actor("bob", SELLER), False),  # the name matches, the lane does not
    (_task(SELLER, "sam"), Actor("sam", SELLER), True),
    (_task(SELLER, "sam"), Actor("sue", SELLER), False),
    (_task(REVIEWER, None, "rep_office"), Actor("rita", REVIEWER, "rep_office"), True),
    (_task(REVIEWER, None, "rep_office"), Actor("rob", REVIEWER, "base_manager"), False),
    (_task(SELLER, "sam"), Actor("sam", OPS), False),  # ops complete no tasks
    (_task("system", None), SYSTEM, False),  # a waiting event is nobody's task
    (_task(BUYER, "ada"), Actor("ada", ADMIN), False),
    (_task(BUSINESS), Actor("bo", BUSINESS), False),  # an order never has a business task
    # a purchase application's tasks (domain.md §7): business and ops staff share their lane's tasks
    (_task(BUSINESS, application_id="a1"), Actor("bo", BUSINESS), True),
    (_task(OPS, application_id="a1"), Actor("olga", OPS), True),
    (_task(OPS, application_id="a1"), Actor("bo", BUSINESS), False),
    (_task(BUYER, "bob", application_id="a1"), Actor("bob", BUYER), True),  # the applicant's seat distribution
    (_task(BUYER, "bob", application_id="a1"), Actor("bea", BUYER), False),
    (_task(BUSINESS, application_id="a1"), Actor("ada", ADMIN), False),
]


@pytest.mark.parametrize(("task", "actor", "expected"), TASKS)
def test_who_may_act_on_a_task(task, actor, expected):
    assert access.may_act(actor, task) is expected


@pytest.mark.parametrize("review_role", REVIEW_ROLES)
def test_a_reviewer_acts_only_in_their_own_review_role(review_role):
    actor = Actor("rita", REVIEWER, review_role)
    assert [access.may_act(actor, _task(REVIEWER, None, r)) for r in REVIEW_ROLES] == [
        r == review_role for r in REVIEW_ROLES]


@pytest.mark.parametrize("role", ROLES)
def test_the_listing_filters_follow_the_table(role):
    actor = Actor("someone", role, "base_manager" if role == REVIEWER else None)
    for permission, build in (("orders.read", access.order_filter), ("tasks.inbox", access.task_filter)):
        if access.allowed(actor, permission):
            assert build(actor) is not None
        else:
            with pytest.raises(ForbiddenError):
                build(actor)


@pytest.mark.parametrize(("role", "column"), [(BUYER, "buyer"), (SELLER, "seller"), (PLATFORM, "placed_by")])
def test_owners_list_by_their_own_column(role, column):
    condition = str(access.order_filter(Actor("someone", role)).compile())
    assert condition == f"orders.{column} = :{column}_1"


# -- purchase applications: whose they are (domain.md §7) --------------------------------------------------

APP = App(app_id="crm", publisher="sam")
APPLICATION = PurchaseApplication(app_id="crm", tenant="t1", applicant="bob")
SEES = [(Actor("bob", BUYER, tenant="t1"), True), (Actor("bea", BUYER, tenant="t1"), True),  # the same tenant
        (Actor("bea", BUYER, tenant="t2"), False), (Actor("bob", BUYER), False), (Actor("sam", SELLER), True),
        (Actor("sue", SELLER), False), (Actor("bo", BUSINESS), True), (Actor("olga", OPS), True),
        (Actor("ada", ADMIN), True), (Actor("ana", ANALYST), False), (Actor("m", PLATFORM), False)]


@pytest.mark.parametrize(("actor", "expected"), SEES)
def test_who_sees_a_purchase_application(actor, expected):
    assert access.may_see_application(actor, APPLICATION, APP) is expected
