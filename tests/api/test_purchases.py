"""Weaver purchase applications through the HTTP API (domain.md §7; reference/weaver-purchase.zh.txt, cited
per test by its section). Every refusal is a problem document and leaves nothing behind."""
import pytest

from tests.purchase_store import APPLICATIONS, CONTACT, Store, approval


@pytest.fixture
def store(api, cast):
    return Store(api, cast)


def _inbox(api, who) -> list[dict]:
    response = api.get("/api/v1/tasks", who.token, params={"page_size": 100})
    assert response.status_code == 200, response.text
    return response.json()


def test_business_staff_approve_with_seats_and_expiry_then_contacts_are_exchanged(api, store, cast):
    """四.2 非专项购买 / 三: business staff review, set PC and mobile seats and the expiry; 一: contacts."""
    application = store.applied(store.public, store.app, pc_seats=40, mobile_seats=10)
    assert application["status"] == "pending" and application["kind"] == "purchase"
    assert [n["id"] for n in application["nodes"]] == ["review_application"]
    assert application["available_actions"] == [] and application["publisher_contact"] is None
    seller_view = store.get(cast.seller, application).json()
    assert seller_view["contact"] is None and seller_view["publisher_contact"]["name"] == "Acme sales"
    mine = [t for t in _inbox(api, store.business) if t.get("application_id") == application["id"]]
    assert [t["node"] for t in mine] == ["review_application"] and mine[0]["order_id"] is None
    done = store.approved(application, pc=50, mobile=20)
    assert done["status"] == "approved" and done["nodes"] == []
    assert done["decision"]["pc_seats"] == 50 and done["decision"]["mobile_seats"] == 20
    applicant = store.buyers[store.public]
    assert store.get(applicant, application).json()["publisher_contact"]["email"] == "sales@acme.example"
    assert store.get(cast.seller, application).json()["contact"] == CONTACT
    [granted] = [e for e in store.entitlements(applicant) if e["app_id"] == store.app]
    assert (granted["pc_seats"], granted["mobile_seats"], granted["trial"], granted["status"]) == (50, 20, False,
                                                                                                   "active")
    assert store.can_install(store.public, store.app) == {"can_install": True, "why_not": None}
    notes = api.get("/api/v1/notifications", applicant.token).json()
    assert any(n["kind"] == "application_approved" and n["ref"] == f"application:{application['id']}"
               for n in notes)


def test_an_expiry_may_be_given_as_a_time_with_offset(store):
    """Times are ISO 8601 with offset (api-contract); the expiry is its UTC date."""
    done = store.act(store.business, store.applied(store.public, store.app), "approve",
                     {"pc_seats": 5, "mobile_seats": 0, "expires_on": "2099-06-30T23:00:00-02:00"}).json()
    assert done["decision"]["expires_on"] == "2099-07-01"


def test_a_rejection_needs_a_reason_and_grants_nothing(api, store, problem):
    """四.2: business staff review; a rejected application gives no entitlement."""
    application = store.applied(store.public, store.app)
    problem(store.act(store.business, application, "reject", {}), 422, "validation_failed")
    assert store.get(store.business, application).json()["status"] == "pending"
    done = store.act(store.business, application, "reject", {"reason": "No budget this year"}).json()
    assert done["status"] == "rejected" and done["reason"] == "No budget this year"
    assert store.can_install(store.public, store.app) == {"can_install": False, "why_not": "no_entitlement"}
    assert store.get(store.buyers[store.public], application).json()["publisher_contact"] is None
    problem(store.act(store.business, application, "approve", approval()), 409)


@pytest.mark.parametrize("data", [
    approval(days=0), approval(days=-3), {"pc_seats": -1, "mobile_seats": 2, "expires_on": "2099-01-01"},
    {"pc_seats": "5", "mobile_seats": 2, "expires_on": "2099-01-01"}, {"pc_seats": 5, "mobile_seats": 2},
    {"pc_seats": 5, "mobile_seats": 2, "expires_on": "not a date"}, {**approval(), "extra": 1},
    {"pc_seats": 5, "mobile_seats": 2, "expires_on": "2020-01-01T08:00:00+00:00"},
    {"pc_seats": 5, "mobile_seats": 2, "expires_on": "2099-01-01T08:00:00"}])  # a time needs its offset
def test_an_approval_needs_seats_and_a_future_expiry(store, problem, data):
    """三 / 四.2: the reviewer sets the user counts and a 截止时间 (a future date); bad input changes nothing."""
    application = store.applied(store.public, store.app)
    problem(store.act(store.business, application, "approve", data), 422, "validation_failed")
    after = store.get(store.business, application).json()
    assert after["status"] == "pending" and [n["id"] for n in after["nodes"]] == ["review_application"]
    assert store.can_install(store.public, store.app)["can_install"] is False


def test_on_a_private_cloud_only_the_supervisor_tenant_may_apply(store, problem):
    """四.2 私有云, 七.1: 不是主管级租户（或团队）不可购买申请; nothing is created on refusal."""
    before = store.count()
    for kind in ("purchase", "trial"):
        body = problem(store.apply(store.sub, store.app, kind), 409, "application_not_allowed")
        assert "supervisor" in body["detail"] and body["reason"] == "not_supervisor"
    assert store.count() == before


def test_the_supervisors_approval_covers_every_tenant_of_its_environment_and_no_other(store):
    """四.2 私有云: 主管级租户购买申请通过后，所有租户都可安装 (that environment's tenants only)."""
    store.approved(store.applied(store.supervisor, store.app))
    assert store.can_install(store.supervisor, store.app)["can_install"] is True
    assert store.can_install(store.sub, store.app)["can_install"] is True
    assert store.can_install(store.far, store.app) == {"can_install": False, "why_not": "no_entitlement"}
    assert store.can_install(store.public, store.app)["can_install"] is False
    seen = [e for e in store.entitlements(store.buyers[store.sub]) if e["app_id"] == store.app]
    assert [e["tenant"] for e in seen] == [store.supervisor] and seen[0]["environment"] == store.env
    assert not [e for e in store.entitlements(store.buyers[store.far]) if e["app_id"] == store.app]


def test_a_trial_is_approved_at_once_for_seven_days_then_expires(store, clock):
    """四.5 限时体验: 立即申请->自动审核->安装; 免费使用7天; expired entitlements are not installable."""
    trial = store.applied(store.public, store.app, "trial")
    assert trial["status"] == "approved" and trial["nodes"] == [] and trial["decision"]["trial"] is True
    [granted] = [e for e in store.entitlements(store.buyers[store.public]) if e["app_id"] == store.app]
    assert granted["trial"] is True and granted["status"] == "active"
    assert store.can_install(store.public, store.app)["can_install"] is True
    clock(advance="P6D")
    assert store.can_install(store.public, store.app)["can_install"] is True
    clock(advance="P1D")
    assert store.can_install(store.public, store.app) == {"can_install": False, "why_not": "expired"}
    [expired] = [e for e in store.entitlements(store.buyers[store.public]) if e["app_id"] == store.app]
    assert expired["status"] == "expired"


def test_trials_the_store_refuses(store, problem):
    """四.5 注: 专项应用不支持限时体验; the publisher enables the trial (上传收费应用时，开启限时体验); one trial."""
    before = store.count()
    assert "special" in problem(store.apply(store.public, store.special, "trial"), 409,
                                "application_not_allowed")["detail"]
    assert "no limited-time trial" in problem(store.apply(store.public, store.no_trial, "trial"), 409,
                                              "application_not_allowed")["detail"]
    store.applied(store.supervisor, store.app, "trial")
    assert "already had a trial" in problem(store.apply(store.supervisor, store.app, "trial"), 409,
                                            "application_not_allowed")["detail"]
    assert store.count() == before + 1


def test_a_renewal_needs_an_entitlement_then_review_then_the_ops_seat_adjustment(api, store, cast, problem):
    """四.4 续费 (非专项): review of new users and date; 注: the user counts are then updated by hand (七.3)."""
    problem(store.apply(store.public, store.app, "renewal"), 409, "application_not_allowed")
    store.applied(store.public, store.app, "trial")
    assert "entitlement" in problem(store.apply(store.public, store.app, "renewal"), 409,
                                    "application_not_allowed")["detail"]
    store.approved(store.applied(store.public, store.app))
    renewal = store.applied(store.public, store.app, "renewal", pc_seats=80)
    done = store.approved(renewal, pc=80, mobile=30, days=730)
    assert done["status"] == "approved" and done["seats_pending_adjustment"] is True
    assert [n["id"] for n in done["nodes"]] == ["adjust_seats"]
    [granted] = [e for e in store.entitlements(store.buyers[store.public]) if e["app_id"] == store.app]
    assert granted["pc_seats"] == 80 and granted["seats_pending_adjustment"] is True
    [task] = [t for t in _inbox(api, cast.ops) if t.get("application_id") == renewal["id"]]
    problem(store.act(store.business, renewal, "seats_adjusted"), 403, "forbidden")
    response = api.post(f"/api/v1/tasks/{task['id']}/complete", cast.ops.token, json={"action": "seats_adjusted"})
    assert response.status_code == 200, response.text
    assert response.json()["seats_pending_adjustment"] is False and response.json()["nodes"] == []
    [granted] = [e for e in store.entitlements(store.buyers[store.public]) if e["app_id"] == store.app]
    assert granted["seats_pending_adjustment"] is False


def test_a_special_app_goes_through_the_licence_file_and_the_seat_distribution(api, store, cast, upload, problem):
    """四.1 专项申请购买: the licence is uploaded in the ops platform; 三: its PC and mobile counts are given to
    the main and sub tenants (sums within the licence)."""
    application = store.applied(store.supervisor, store.special)
    assert [n["id"] for n in application["nodes"]] == ["upload_license_file"]
    licence = {**approval(pc=100, mobile=40)}
    problem(store.act(cast.ops, application, "upload_license_file", licence), 422, "validation_failed")
    done = store.act(cast.ops, application, "upload_license_file", licence, [upload(cast.ops)]).json()
    assert done["status"] == "pending" and [n["id"] for n in done["nodes"]] == ["distribute_seats"]
    applicant = store.buyers[store.supervisor]
    assert [a["action"] for a in store.get(applicant, application).json()["available_actions"]] == [
        "distribute_seats"]
    too_many = [{"tenant": store.supervisor, "pc_seats": 60, "mobile_seats": 20},
                {"tenant": store.sub, "pc_seats": 50, "mobile_seats": 20}]
    problem(store.act(applicant, application, "distribute_seats", {"allocations": too_many}), 422)
    outsider = [{"tenant": store.far, "pc_seats": 1, "mobile_seats": 1}]
    problem(store.act(applicant, application, "distribute_seats", {"allocations": outsider}), 422)
    assert store.get(applicant, application).json()["status"] == "pending"
    split = [{"tenant": store.supervisor, "pc_seats": 60, "mobile_seats": 20},
             {"tenant": store.sub, "pc_seats": 40, "mobile_seats": 20}]
    done = store.act(applicant, application, "distribute_seats", {"allocations": split}).json()
    assert done["status"] == "approved" and done["nodes"] == []
    seats = {e["tenant"]: e["pc_seats"] for e in store.entitlements(store.business) if e["app_id"] == store.special}
    assert seats == {store.supervisor: 60, store.sub: 40}
    assert store.can_install(store.far, store.special)["can_install"] is False


def test_ops_may_reject_a_special_application(store, cast):
    application = store.applied(store.public, store.special)
    done = store.act(cast.ops, application, "reject", {"reason": "No licence budget"}).json()
    assert done["status"] == "rejected" and done["reason"] == "No licence budget"


@pytest.mark.parametrize("body", [
    {"kind": "purchase", "contact": CONTACT}, {"app_id": "x", "kind": "buy", "contact": CONTACT},
    {"app_id": "x", "kind": "purchase", "contact": {"phone": "1"}},
    {"app_id": "x", "kind": "purchase", "contact": CONTACT, "pc_seats": -1},
    {"app_id": "x", "kind": "purchase", "contact": CONTACT, "surprise": True}])
def test_bad_application_bodies_are_422_and_create_nothing(api, store, problem, body):
    before = store.count()
    response = api.post(APPLICATIONS, store.buyers[store.public].token, json=body)
    problem(response, 422, "validation_failed")
    assert store.count() == before


def test_an_unknown_app_is_422(api, store, problem):
    problem(store.apply(store.public, "no-such-app"), 422, "validation_failed")


def test_a_buyer_without_a_tenant_may_not_apply(api, store, cast, problem):
    response = api.post(APPLICATIONS, cast.buyer.token, json={"app_id": store.app, "kind": "purchase",
                                                              "contact": CONTACT})
    problem(response, 409, "application_not_allowed")


def test_tenants_and_apps_refuse_bad_input(api, cast, problem):
    """A private tenant names its environment; a special app offers no trial (api-contract, POST /apps)."""
    problem(api.post("/api/v1/tenants", cast.admin.token, json={"name": "t-x1", "cloud": "private"}), 422)
    problem(api.post("/api/v1/tenants", cast.admin.token, json={"name": "t-x2", "cloud": "moon"}), 422)
    problem(api.post("/api/v1/apps", cast.seller.token, json={"app_id": "sp-trial", "name": "S", "special": True,
                                                            "trial": True}), 422, "validation_failed")


def test_principals_get_a_tenant_from_the_cli_and_over_http(app, api, store, cast, problem):
    """api-contract: `principal create NAME --role buyer --tenant T` and `tenant` in POST /principals."""
    import uuid
    name = f"cli-{uuid.uuid4().hex[:8]}"
    result = app.test_cli_runner().invoke(args=["principal", "create", name, "--role", "buyer",
                                                "--tenant", store.public])
    assert result.exit_code == 0, result.output
    token = result.stdout.rstrip("\n").splitlines()[-1]
    response = api.post(APPLICATIONS, token, json={"app_id": store.app, "kind": "purchase", "contact": CONTACT})
    assert response.status_code == 201 and response.json()["tenant"] == store.public
    created = api.post("/api/v1/principals", cast.admin.token,
                       json={"name": f"api-{uuid.uuid4().hex[:8]}", "role": "buyer", "tenant": store.sub})
    assert created.status_code == 201 and created.json()["tenant"] == store.sub
    ghost = f"ghost-{uuid.uuid4().hex[:8]}"
    problem(api.post("/api/v1/principals", cast.admin.token,
                     json={"name": ghost, "role": "buyer", "tenant": "no-such-tenant"}), 422, "validation_failed")
    assert api.post("/api/v1/principals", cast.admin.token, json={"name": ghost, "role": "buyer"}).status_code == 201


def test_an_environment_has_one_supervisor_tenant(api, store, cast, problem):
    """七.1: the supervisor-level tenant of an environment (主管理组织 on) — one per environment."""
    response = api.post("/api/v1/tenants", cast.admin.token, json={"name": f"second-{store.env}", "cloud": "private",
                                                                   "environment": store.env, "supervisor": True})
    problem(response, 409, "conflict")


def test_the_applicants_seat_distribution_is_in_its_inbox_and_completes_from_there(api, store, cast, upload):
    """四.1 / 三: after the licence upload the applicant distributes the seats (its task, its inbox)."""
    application = store.applied(store.public, store.special)
    store.act(cast.ops, application, "upload_license_file", approval(pc=10, mobile=5), [upload(cast.ops)])
    applicant = store.buyers[store.public]
    [task] = [t for t in _inbox(api, applicant) if t.get("application_id") == application["id"]]
    assert task["node"] == "distribute_seats" and task["order_id"] is None
    assert not [t for t in _inbox(api, store.buyers[store.far]) if t.get("application_id") == application["id"]]
    response = api.post(f"/api/v1/tasks/{task['id']}/complete", applicant.token, json={
        "action": "distribute_seats",
        "data": {"allocations": [{"tenant": store.public, "pc_seats": 10, "mobile_seats": 5}]}})
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "approved" and response.json()["id"] == application["id"]


def test_applications_list_newest_first_with_filters(api, store, clock):
    """四.3 购买审核进度查询: the tenant's order center lists its applications."""
    first = store.applied(store.public, store.app)
    clock(advance="PT1M")
    trial = store.applied(store.public, store.no_trial)
    buyer = store.buyers[store.public]
    listed = api.get(APPLICATIONS, buyer.token).json()
    assert [a["id"] for a in listed][:2] == [trial["id"], first["id"]]
    store.approved(first)
    approved = api.get(APPLICATIONS, buyer.token, params={"status": "approved"}).json()
    assert [a["id"] for a in approved] == [first["id"]]
    assert api.get(APPLICATIONS, buyer.token, params={"kind": "renewal"}).json() == []
    paged = api.get(APPLICATIONS, buyer.token, params={"page_size": 1})
    assert len(paged.json()) == 1 and '"total": 2' in paged.headers["X-Pagination"]
