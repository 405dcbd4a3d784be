"""Invoices (docs/api-contract.md "Refunds (退订) and invoices"; buyer guide §6.1 and §6.3 via docs/domain.md §5.5):
joint-operation and Huawei goods are invoiced by Huawei Cloud (the platform), general goods by the seller; before a
refund every invoice goes back with what its type needs (electronic nothing, paper the invoice by parcel, paper
special already deducted the red-letter information form scan)."""
import pytest

from tests.factories import order_body
from tests.helpers import history, ok

API = "/api/v1"


@pytest.fixture
def invoices(api, cast):
    """Calls of the invoice API: apply(order, type, who=buyer) and friends, each returning the response."""

    class Calls:
        @staticmethod
        def apply(order, type_="electronic", who=None, **extra):
            body = {"type": type_, "title": "Alice Trading Co.", **extra}
            return api.post(f"{API}/orders/{order['id']}/invoices", (who or cast.buyer).token, json=body)

        @staticmethod
        def issue(invoice, who, invoice_no="INV-0001"):
            return api.post(f"{API}/invoices/{invoice['id']}/issue", who.token, json={"invoice_no": invoice_no})

        @staticmethod
        def return_(invoice, who=None, **body):
            return api.post(f"{API}/invoices/{invoice['id']}/return", (who or cast.buyer).token, json=body)

        @staticmethod
        def confirm(invoice, who):
            return api.post(f"{API}/invoices/{invoice['id']}/confirm-return", who.token)

        @staticmethod
        def withdraw(invoice, who=None):
            return api.post(f"{API}/invoices/{invoice['id']}/withdraw", (who or cast.buyer).token)

        @staticmethod
        def of(order, who=None):
            return ok(api.get(f"{API}/orders/{order['id']}/invoices", (who or cast.buyer).token))

    return Calls


@pytest.fixture
def order(place_order):
    return place_order()  # general goods: the seller issues


@pytest.fixture
def issued(invoices, order, cast):
    """An issued invoice of each type, by type."""
    def make(type_: str) -> dict:
        invoice = ok(invoices.apply(order, type_), 201)
        return ok(invoices.issue(invoice, cast.seller))
    return make


def _types(api, who, order) -> list[str]:
    return [e["type"] for e in history(api, who, order)]


def _blocks_refund(query_db, order) -> bool:
    from app.models import Order
    from app.services.invoices import invoices_block_refund
    return query_db(lambda s: invoices_block_refund(s, s.get(Order, order["id"])))


# -- applying ---------------------------------------------------------------------------------------

def test_the_buyer_applies_for_an_invoice_of_general_goods_issued_by_the_seller(invoices, order, api, cast):
    invoice = ok(invoices.apply(order, "paper_special", tax_id="91440300MA5XXXXXX"), 201)
    assert {k: invoice[k] for k in ("order_id", "issuer", "type", "status", "tax_id")} == {
        "order_id": order["id"], "issuer": "seller", "type": "paper_special", "status": "applied",
        "tax_id": "91440300MA5XXXXXX"}
    assert invoice["id"]
    event = history(api, cast.buyer, order)[-1]
    assert (event["type"], event["data"]) == ("invoice_applied", {"invoice_id": invoice["id"], "type": "paper_special",
                                                                  "issuer": "seller"})


@pytest.mark.parametrize("goods_class", ["joint", "huawei"])
def test_joint_and_huawei_goods_are_invoiced_by_the_platform(invoices, place_order, goods_class):
    assert ok(invoices.apply(place_order(goods_class=goods_class)), 201)["issuer"] == "platform"


def test_an_order_without_supervision_can_be_invoiced(invoices, place_order):
    order = place_order(delivery_type="image", manual_kind=None, supervised=False)
    assert ok(invoices.apply(order), 201)["status"] == "applied"


def test_the_parties_and_operations_read_the_orders_invoices(invoices, order, api, cast):
    invoice = ok(invoices.apply(order), 201)
    for who in (cast.buyer, cast.seller, cast.ops, cast.platform):
        assert [i["id"] for i in invoices.of(order, who)] == [invoice["id"]]
        assert ok(api.get(f"{API}/invoices/{invoice['id']}", who.token))["status"] == "applied"


def test_other_buyers_do_not_see_the_invoices(invoices, order, api, cast, problem):
    invoice = ok(invoices.apply(order), 201)
    problem(api.get(f"{API}/orders/{order['id']}/invoices", cast.other_buyer.token), 404, "not_found")
    problem(api.get(f"{API}/invoices/{invoice['id']}", cast.other_seller.token), 404, "not_found")
    problem(api.get(f"{API}/invoices/{invoice['id']}", cast.analyst.token), 403, "forbidden")
    problem(api.get(f"{API}/invoices/no-such-invoice", cast.buyer.token), 404, "not_found")


@pytest.mark.parametrize("who, status", [("seller", 403), ("ops", 403), ("platform", 403), ("other_buyer", 404)])
def test_only_the_orders_buyer_applies(invoices, order, api, cast, problem, who, status):
    before = _types(api, cast.ops, order)
    problem(invoices.apply(order, who=getattr(cast, who)), status)
    assert invoices.of(order, cast.ops) == [] and _types(api, cast.ops, order) == before


@pytest.mark.parametrize("body, field", [
    ({"type": "receipt", "title": "Alice"}, "type"),
    ({"type": "electronic"}, "title"),
    ({"type": "electronic", "title": ""}, "title"),
    ({"type": "electronic", "title": "x" * 201}, "title"),
    ({"type": "electronic", "title": "Alice", "tax_id": "x" * 65}, "tax_id"),
    ({"type": "electronic", "title": "Alice", "amount": "10.00"}, "amount"),
])
def test_a_bad_application_is_422_and_changes_nothing(api, order, invoices, cast, problem, body, field):
    before = _types(api, cast.ops, order)
    refused = problem(api.post(f"{API}/orders/{order['id']}/invoices", cast.buyer.token, json=body), 422,
                      "validation_failed")
    assert field in refused["errors"], refused
    assert invoices.of(order) == [] and _types(api, cast.ops, order) == before


def test_a_second_application_while_one_is_open_is_409(invoices, order, problem):
    ok(invoices.apply(order), 201)
    problem(invoices.apply(order, "paper_ordinary"), 409, "conflict")
    assert len(invoices.of(order)) == 1


def test_a_withdrawn_application_makes_room_for_another(invoices, order, api, cast):
    first = ok(invoices.apply(order), 201)
    assert ok(invoices.withdraw(first))["status"] == "withdrawn"
    assert ok(invoices.apply(order, "paper_ordinary"), 201)["type"] == "paper_ordinary"
    assert "invoice_withdrawn" in _types(api, cast.buyer, order)


def test_an_issued_invoice_cannot_be_withdrawn(invoices, issued, problem):
    problem(invoices.withdraw(issued("electronic")), 409, "conflict")


def test_a_refunded_order_is_not_invoiced(invoices, order, api, cast, problem):
    appeal = ok(api.post(f"{API}/orders/{order['id']}/appeals", cast.buyer.token,
                         json={"reason": "seller gone", "demand": "refund"}), 201)
    ok(api.post(f"{API}/appeals/{appeal['id']}/resolve", cast.ops.token,
                json={"outcome": "close_with_refund", "note": "refund", "refund_amount": "1000.00"}))
    problem(invoices.apply(order), 409, "conflict")
    assert invoices.of(order) == []


def test_an_order_paid_nothing_is_not_invoiced(invoices, place_order, cast, problem):
    body = order_body(cast.buyer.name, cast.seller.name)
    body["amount_paid"] = "0.00"
    problem(invoices.apply(place_order(body)), 409, "conflict")


# -- issuing ----------------------------------------------------------------------------------------

def test_the_seller_issues_an_invoice_of_general_goods(invoices, order, api, cast):
    invoice = ok(invoices.issue(ok(invoices.apply(order), 201), cast.seller, "INV-42"))
    assert (invoice["status"], invoice["invoice_no"]) == ("issued", "INV-42") and invoice["issued_at"]
    event = history(api, cast.seller, order)[-1]
    assert (event["type"], event["actor"], event["data"]["invoice_no"]) == (
        "invoice_issued", {"name": cast.seller.name, "role": "seller"}, "INV-42")


def test_the_platform_issues_an_invoice_of_joint_goods(invoices, place_order, cast, problem):
    invoice = ok(invoices.apply(place_order(goods_class="joint")), 201)
    problem(invoices.issue(invoice, cast.seller), 403, "forbidden")
    assert ok(invoices.issue(invoice, cast.platform))["status"] == "issued"


@pytest.mark.parametrize("who, status", [("platform", 403), ("buyer", 403), ("ops", 403), ("other_seller", 404)])
def test_only_the_issuer_issues(invoices, order, api, cast, problem, who, status):
    invoice = ok(invoices.apply(order), 201)
    before = _types(api, cast.ops, order)
    problem(invoices.issue(invoice, getattr(cast, who)), status)
    assert invoices.of(order)[0]["status"] == "applied" and _types(api, cast.ops, order) == before


def test_another_platform_does_not_see_the_invoice(invoices, place_order, make_principal, problem):
    invoice = ok(invoices.apply(place_order(goods_class="joint")), 201)
    problem(invoices.issue(invoice, make_principal("platform")), 404, "not_found")


def test_issuing_twice_is_409(invoices, issued, cast, problem):
    invoice = issued("electronic")
    problem(invoices.issue(invoice, cast.seller, "INV-0002"), 409, "conflict")


@pytest.mark.parametrize("body", [{}, {"invoice_no": ""}, {"invoice_no": "x" * 65}, {"invoice_no": 12}])
def test_a_bad_issue_is_422_and_changes_nothing(invoices, order, api, cast, problem, body):
    invoice = ok(invoices.apply(order), 201)
    before = _types(api, cast.ops, order)
    problem(api.post(f"{API}/invoices/{invoice['id']}/issue", cast.seller.token, json=body), 422, "validation_failed")
    assert invoices.of(order)[0]["status"] == "applied" and _types(api, cast.ops, order) == before


# -- returning --------------------------------------------------------------------------------------

def test_an_electronic_invoice_returns_with_nothing(invoices, issued, api, cast):
    invoice = issued("electronic")
    response = api.post(f"{API}/invoices/{invoice['id']}/return", cast.buyer.token)
    assert ok(response)["status"] == "return_submitted"


def test_a_paper_invoice_returns_by_parcel(invoices, issued):
    returned = ok(invoices.return_(issued("paper_ordinary"), tracking_no="SF1234567890"))
    assert (returned["status"], returned["return_tracking_no"]) == ("return_submitted", "SF1234567890")


def test_a_paper_special_invoice_not_deducted_returns_by_parcel(invoices, issued):
    returned = ok(invoices.return_(issued("paper_special"), tracking_no="SF1", deducted=False))
    assert (returned["status"], returned["deducted"]) == ("return_submitted", False)


def test_a_deducted_paper_special_invoice_returns_with_the_red_letter_form(invoices, issued, upload, order, api,
                                                                            cast):
    form = upload(cast.buyer, b"red-letter form", "red-letter.pdf")
    returned = ok(invoices.return_(issued("paper_special"), deducted=True, attachments=[form]))
    assert (returned["status"], returned["deducted"], returned["red_letter_form"]) == ("return_submitted", True, form)
    event = history(api, cast.seller, order)[-1]
    assert (event["type"], event["attachments"]) == ("invoice_return_submitted", [form])
    assert api.get(f"{API}/attachments/{form}", cast.seller.token).status_code == 200  # the issuer reads the scan


def test_the_red_letter_form_may_be_given_as_attachment_id(invoices, issued, upload, cast):
    form = upload(cast.buyer, b"red-letter form", "red-letter.pdf")
    assert ok(invoices.return_(issued("paper_special"), deducted=True, attachment_id=form))["red_letter_form"] == form


@pytest.mark.parametrize("type_, body, field", [
    ("electronic", {"tracking_no": "SF1"}, "tracking_no"),
    ("electronic", {"deducted": True}, "deducted"),
    ("paper_ordinary", {}, "tracking_no"),
    ("paper_ordinary", {"deducted": True, "tracking_no": "SF1"}, "deducted"),
    ("paper_special", {}, "tracking_no"),
    ("paper_special", {"deducted": True}, "attachments"),
    ("paper_special", {"deducted": True, "tracking_no": "SF1"}, "tracking_no"),
    ("paper_special", {"tracking_no": "x" * 101}, "tracking_no"),
    ("paper_special", {"tracking_no": "SF1", "carrier": "SF"}, "carrier"),
])
def test_a_return_without_what_its_type_needs_is_422_and_changes_nothing(invoices, issued, order, api, cast, problem,
                                                                         type_, body, field):
    invoice = issued(type_)
    before = _types(api, cast.ops, order)
    refused = problem(invoices.return_(invoice, **body), 422, "validation_failed")
    assert field in refused["errors"], refused
    assert invoices.of(order)[0]["status"] == "issued" and _types(api, cast.ops, order) == before


def test_a_red_letter_form_uploaded_by_someone_else_is_422(invoices, issued, upload, order, cast, problem):
    form = upload(cast.seller, b"not the buyer's", "form.pdf")
    problem(invoices.return_(issued("paper_special"), deducted=True, attachments=[form]), 422, "validation_failed")
    assert invoices.of(order)[0]["status"] == "issued"


def test_an_invoice_not_issued_yet_cannot_be_returned(invoices, order, problem):
    problem(invoices.return_(ok(invoices.apply(order), 201)), 409, "conflict")
    assert invoices.of(order)[0]["status"] == "applied"


@pytest.mark.parametrize("who, status", [("seller", 403), ("other_buyer", 404)])
def test_only_the_buyer_returns(invoices, issued, order, cast, problem, who, status):
    problem(invoices.return_(issued("electronic"), getattr(cast, who)), status)
    assert invoices.of(order)[0]["status"] == "issued"


def test_the_issuer_confirms_the_return(invoices, issued, order, api, cast, problem):
    invoice = ok(invoices.return_(issued("electronic")))
    problem(invoices.confirm(invoice, cast.buyer), 403, "forbidden")
    problem(invoices.confirm(invoice, cast.platform), 403, "forbidden")  # general goods: the seller issued it
    returned = ok(invoices.confirm(invoice, cast.seller))
    assert returned["status"] == "returned" and returned["returned_at"]
    assert _types(api, cast.buyer, order)[-4:] == ["invoice_applied", "invoice_issued", "invoice_return_submitted",
                                                   "invoice_returned"]


def test_a_return_cannot_be_confirmed_before_it_is_submitted(invoices, issued, cast, problem):
    problem(invoices.confirm(issued("electronic"), cast.seller), 409, "conflict")


def test_the_history_chain_stays_intact_through_an_invoice(invoices, issued, order, query_db, cast):
    from app.models import AuditEvent, Order
    from app.services.core.audit import first_break
    ok(invoices.confirm(ok(invoices.return_(issued("electronic"))), cast.seller))

    def check(session):
        stored = session.get(Order, order["id"])
        events = session.query(AuditEvent).filter_by(order_id=order["id"]).order_by(AuditEvent.seq).all()
        return first_break(events, stored.audit_head_seq, stored.audit_head_hash)

    assert query_db(check) is None


# -- the refund's question ----------------------------------------------------------------------------

def test_an_open_invoice_blocks_a_refund_until_it_is_returned(invoices, order, query_db, cast):
    assert not _blocks_refund(query_db, order)
    invoice = ok(invoices.apply(order), 201)
    assert _blocks_refund(query_db, order)  # applied (FAQ §8.5.1: applied-for goods return it first)
    invoice = ok(invoices.issue(invoice, cast.seller))
    assert _blocks_refund(query_db, order)
    invoice = ok(invoices.return_(invoice))
    assert _blocks_refund(query_db, order)
    ok(invoices.confirm(invoice, cast.seller))
    assert not _blocks_refund(query_db, order)


def test_a_withdrawn_application_blocks_no_refund(invoices, order, query_db):
    ok(invoices.withdraw(ok(invoices.apply(order), 201)))
    assert not _blocks_refund(query_db, order)
