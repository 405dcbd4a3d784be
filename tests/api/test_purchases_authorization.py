"""The authorization matrix of the Weaver store (domain.md §7; api-contract "Purchase applications"): the
applicant's tenant, a buyer of another tenant, business staff, ops, the publishing seller, another seller,
an admin, no token. Another tenant's application looks missing (404); a wrong role is 403; every refusal is
a problem document and changes nothing."""
import uuid

import pytest

from tests.purchase_store import APPLICATIONS, CONTACT, Store, approval

CALLERS = ("applicant", "same_tenant", "other_tenant", "business", "ops", "seller", "other_seller", "admin",
           "no_token", "unknown_token")
READ = {"applicant": 200, "same_tenant": 200, "other_tenant": 404, "business": 200, "ops": 200, "seller": 200,
        "other_seller": 404, "admin": 200, "no_token": 401, "unknown_token": 401}


@pytest.fixture
def store(api, cast):
    return Store(api, cast)


@pytest.fixture
def who(store, cast, make_principal):
    from tests import factories
    people = {"applicant": store.buyers[store.public],
              "same_tenant": factories.principal("buyer", tenant=store.public),
              "other_tenant": store.buyers[store.far], "business": store.business, "ops": cast.ops,
              "seller": cast.seller, "other_seller": cast.other_seller, "admin": cast.admin}

    def token(name):
        if name == "no_token":
            return None
        if name == "unknown_token":
            return f"not-a-token-{uuid.uuid4().hex}"
        return people[name].token

    return token


def _expect(problem, response, status):
    if status >= 400:
        problem(response, status, {401: "unauthenticated", 403: "forbidden", 404: "not_found"}[status])
    else:
        assert response.status_code == status, response.text


@pytest.mark.parametrize("caller", CALLERS)
def test_reading_an_application(api, store, who, problem, caller):
    application = store.applied(store.public, store.app)
    _expect(problem, api.get(f"{APPLICATIONS}/{application['id']}", who(caller)), READ[caller])


@pytest.mark.parametrize("caller", CALLERS)
def test_listing_applications_shows_it_to_those_who_may_read_it(api, store, who, problem, caller):
    application = store.applied(store.public, store.app)
    response = api.get(APPLICATIONS, who(caller), params={"page_size": 100})
    if READ[caller] == 401:
        problem(response, 401, "unauthenticated")
        return
    assert response.status_code == 200, response.text
    assert (application["id"] in [a["id"] for a in response.json()]) == (READ[caller] == 200)


REVIEW = {"applicant": 403, "same_tenant": 403, "other_tenant": 404, "business": 200, "ops": 403, "seller": 403,
          "other_seller": 403, "admin": 403, "no_token": 401, "unknown_token": 401}


@pytest.mark.parametrize("caller", CALLERS)
def test_only_business_staff_review_an_application(api, store, who, problem, caller):
    """四.2: 由商务人员在云商店后台的订单中心进行审核."""
    application = store.applied(store.public, store.app)
    response = api.post(f"{APPLICATIONS}/{application['id']}/actions/approve", who(caller),
                        json={"data": approval(), "attachments": []})
    _expect(problem, response, REVIEW[caller])
    if REVIEW[caller] != 200:
        assert store.get(store.business, application).json()["status"] == "pending"
        assert store.can_install(store.public, store.app)["can_install"] is False


UPLOAD = {**REVIEW, "business": 403, "ops": 200}


@pytest.mark.parametrize("caller", CALLERS)
def test_only_ops_upload_a_licence_file(api, store, who, problem, upload, cast, caller):
    """四.1: 登录运维平台->license上传 (ops)."""
    application = store.applied(store.public, store.special)
    response = api.post(f"{APPLICATIONS}/{application['id']}/actions/upload_license_file", who(caller),
                        json={"data": approval(), "attachments": [upload(cast.ops)]})
    _expect(problem, response, UPLOAD[caller])
    if UPLOAD[caller] != 200:
        after = store.get(store.business, application).json()
        assert [n["id"] for n in after["nodes"]] == ["upload_license_file"]


@pytest.mark.parametrize("caller", CALLERS)
def test_only_a_buyer_with_a_tenant_applies(api, store, who, problem, caller):
    before = store.count()
    response = api.post(APPLICATIONS, who(caller), json={"app_id": store.app, "kind": "purchase",
                                                         "contact": CONTACT})
    expected = {"applicant": 201, "same_tenant": 201, "other_tenant": 201, "no_token": 401,
                "unknown_token": 401}.get(caller, 403)
    _expect(problem, response, expected)
    assert store.count() == before + (expected == 201)


@pytest.mark.parametrize("caller", CALLERS)
def test_only_admins_create_tenants(api, who, problem, caller):
    response = api.post("/api/v1/tenants", who(caller), json={"name": f"t-{uuid.uuid4().hex[:8]}",
                                                              "cloud": "public"})
    _expect(problem, response, {"admin": 201, "no_token": 401, "unknown_token": 401}.get(caller, 403))


@pytest.mark.parametrize("caller", CALLERS)
def test_only_sellers_publish_apps(api, who, problem, caller):
    response = api.post("/api/v1/apps", who(caller), json={"app_id": f"a-{uuid.uuid4().hex[:8]}", "name": "A"})
    expected = {"seller": 201, "other_seller": 201, "no_token": 401, "unknown_token": 401}.get(caller, 403)
    _expect(problem, response, expected)


ENTITLEMENTS = {"applicant": 200, "same_tenant": 200, "other_tenant": 200, "business": 200, "ops": 200,
                "seller": 403, "other_seller": 403, "admin": 200, "no_token": 401, "unknown_token": 401}


@pytest.mark.parametrize("caller", CALLERS)
def test_who_reads_entitlements_and_checks_installs(api, store, who, problem, caller):
    store.approved(store.applied(store.public, store.app))
    response = api.get("/api/v1/entitlements", who(caller))
    _expect(problem, response, ENTITLEMENTS[caller])
    if response.status_code == 200:
        visible = any(e["app_id"] == store.app for e in response.json())
        assert visible == (caller not in ("other_tenant",))
    check = api.get("/api/v1/entitlements/check", who(caller), params={"app_id": store.app})
    buyer = caller in ("applicant", "same_tenant", "other_tenant")
    _expect(problem, check, 200 if buyer else (401 if caller.endswith("token") else 403))
    if buyer:
        assert check.json()["can_install"] is (caller != "other_tenant")


@pytest.mark.parametrize("caller", ("business", "ops", "applicant", "seller"))
def test_the_inbox_holds_each_lane_its_application_tasks(api, store, who, caller):
    application = store.applied(store.public, store.app)
    response = api.get("/api/v1/tasks", who(caller), params={"page_size": 100})
    if caller == "seller":
        assert response.status_code == 200
    mine = [t["node"] for t in response.json() if t.get("application_id") == application["id"]]
    assert mine == (["review_application"] if caller == "business" else [])
