"""Moving running orders between versions of a process: POST /process-definitions/{key}/migrations.

Every test runs its own copy of a shipped diagram under a process id of its own (tests/bpmn_variants.py):
a migration moves every running order of the source version, and versions persist for the whole session,
so migrating a routed key would move other tests' orders and change what later tests' orders run.
No routing rule leads to these keys, so orders are started through the services (`place_order_on`);
everything after that goes through the HTTP API. Time moves only through the testing clock.
"""
from datetime import datetime, timedelta
from uuid import UUID

import pytest
from sqlalchemy import select

from tests.bpmn_variants import DELIVER_OPEN, HARDWARE, diagram, manual, timer_flow, unique_key
from tests.helpers import get_order, history, ok

DEFINITIONS = "/api/v1/process-definitions"
XML = {"Content-Type": "application/xml"}
DESCRIPTION = "Migrate 2 TB of order history"
REJECTION = "The report is missing"

# v2 of the manual-service flow: the deliver task gets a new label (its element id stays)
DELIVER_LABEL_V2 = "Seller delivers the service (v2)"
RELABEL_DELIVER = (DELIVER_OPEN, DELIVER_OPEN.replace("Seller processes requirement", DELIVER_LABEL_V2))
# ... and in another target, confirm_acceptance gets a new element id
REID_CONFIRM = ("confirm_acceptance", "buyer_acceptance")


# -- helpers -------------------------------------------------------------------------------------
def deploy(api, who, xml: bytes) -> int:
    response = api.post(DEFINITIONS, who.token, data=xml, headers=dict(XML))
    assert response.status_code == 201, response.text
    return response.json()["version"]


def migrate(api, who, key: str, from_version: int, to_version: int, dry_run: bool = False):
    return api.post(f"{DEFINITIONS}/{key}/migrations", who.token if who else None,
                    json={"from_version": from_version, "to_version": to_version, "dry_run": dry_run})


def entry_for(report: dict, order: dict) -> dict:
    [entry] = [e for e in report["orders"] if e["order_id"] == order["id"]]
    return entry


def node_ids(order: dict) -> list[str]:
    return [n["id"] for n in order["nodes"]]


def events_of(api, who, order, type_: str) -> list[dict]:
    return [e for e in history(api, who, order) if e["type"] == type_]


def inbox_entry(api, who, order: dict) -> tuple:
    """(task id, due time) of the order's ready task in `who`'s inbox."""
    [task] = [t for t in ok(api.get("/api/v1/tasks", who.token, params={"page_size": 100}))
              if t["order_id"] == order["id"]]
    return task["id"], task["due_at"]


def task_data(query_db, order: dict, task_id: str) -> dict:
    """The data of one task of the order's stored engine state (stored as deltas: rebuilt by loading it)."""
    from app.engine import serializer
    from app.models import ProcessInstance
    from app.services.core.definitions import parsed

    def read(session):
        instance = session.scalars(select(ProcessInstance).where(ProcessInstance.order_id == order["id"])).one()
        spec, subprocess_specs = parsed(instance.definition).specs()
        workflow = serializer.load(instance.state, spec, subprocess_specs)
        return dict(workflow.get_task_from_id(UUID(task_id)).data)

    return query_db(read)


def next_timer_at(query_db, order: dict) -> datetime | None:
    """When the order's process has its next timer due, as stored for the scheduler."""
    from app.models import ProcessInstance
    return query_db(lambda s: s.scalar(select(ProcessInstance.next_timer_at)
                                       .where(ProcessInstance.order_id == order["id"])))


@pytest.fixture
def flow(api, cast):
    """A copy of the general manual-service flow under a key of its own, version 1 deployed: {"key", "v1"}."""
    key = unique_key("migration_flow")
    return {"key": key, "v1": deploy(api, cast.analyst, manual(key))}


@pytest.fixture
def submitted(place_order_on, act, upload, cast):
    """submitted(key) -> an order of `key` the buyer has submitted: it waits at deliver."""

    def make(key: str) -> dict:
        order = place_order_on(key)
        order = ok(act(cast.buyer, order, "submit_requirement", {"description": DESCRIPTION}, [upload(cast.buyer)]))
        assert node_ids(order) == ["deliver"], order["nodes"]
        return order

    return make


@pytest.fixture
def delivered(submitted, act, upload, cast):
    """delivered(key) -> an order of `key` the seller has delivered: it waits at confirm_acceptance."""

    def make(key: str) -> dict:
        order = ok(act(cast.seller, submitted(key), "deliver", {"note": "done"}, [upload(cast.seller)]))
        assert node_ids(order) == ["confirm_acceptance"], order["nodes"]
        return order

    return make


@pytest.fixture
def rejected_once(delivered, act, cast):
    """rejected_once(key) -> an order of `key` the buyer rejected once: back at deliver, rejection_count 1."""

    def make(key: str) -> dict:
        order = ok(act(cast.buyer, delivered(key), "reject", {"reason": REJECTION}))
        assert (node_ids(order), order["rejection_count"]) == (["deliver"], 1), order
        return order

    return make


# -- a migration that moves the order ----------------------------------------------------------------
@pytest.fixture
def migrated(api, cast, flow, rejected_once):
    """An order at deliver (rejected once) migrated from v1 to a v2 where deliver has a new label."""
    order = rejected_once(flow["key"])
    events_before, task_before = history(api, cast.ops, order), inbox_entry(api, cast.seller, order)
    v2 = deploy(api, cast.analyst, manual(flow["key"], RELABEL_DELIVER))
    response = migrate(api, cast.analyst, flow["key"], flow["v1"], v2)
    return {"key": flow["key"], "v1": flow["v1"], "v2": v2, "order": order, "events_before": events_before,
            "task_before": task_before, "response": response}


def test_a_migration_answers_200_with_a_report(migrated):
    report = ok(migrated["response"])
    assert (report["key"], report["from_version"], report["to_version"], report["dry_run"]) \
        == (migrated["key"], migrated["v1"], migrated["v2"], False)


def test_the_report_lists_the_order_as_migrated(migrated):
    entry = entry_for(ok(migrated["response"]), migrated["order"])
    assert (entry["result"], entry["order_no"]) == ("migrated", migrated["order"]["order_no"])


def test_the_report_counts_one_migrated_and_none_skipped(migrated):
    report = ok(migrated["response"])
    assert (report["migrated"], report["skipped"]) == (1, 0)


def test_a_migrated_order_runs_on_the_target_version(api, cast, migrated):
    assert get_order(api, cast.buyer, migrated["order"])["process"] == {"key": migrated["key"],
                                                                         "version": migrated["v2"]}


def test_a_migrated_order_stays_at_its_node(api, cast, migrated):
    assert node_ids(get_order(api, cast.seller, migrated["order"])) == ["deliver"]


def test_a_migrated_order_shows_the_target_versions_label_for_its_node(api, cast, migrated):
    assert [n["name"] for n in get_order(api, cast.seller, migrated["order"])["nodes"]] == [DELIVER_LABEL_V2]


def test_a_migrated_order_keeps_its_rejection_count(api, cast, migrated):
    assert get_order(api, cast.buyer, migrated["order"])["rejection_count"] == 1


def test_a_migrated_order_keeps_its_task_data(api, cast, migrated, query_db):
    order = get_order(api, cast.ops, migrated["order"])
    data = task_data(query_db, order, order["nodes"][0]["task_id"])
    assert (data["description"], data["reason"], data["order_no"]) == (DESCRIPTION, REJECTION, order["order_no"])


def test_a_migrated_orders_ready_task_keeps_its_id_and_due_time(api, cast, migrated):
    assert inbox_entry(api, cast.seller, migrated["order"]) == migrated["task_before"]


def test_a_migrated_order_keeps_its_history(api, cast, migrated):
    after = history(api, cast.ops, migrated["order"])
    assert after[:len(migrated["events_before"])] == migrated["events_before"]


def test_the_history_records_the_migration_with_its_versions(api, cast, migrated):
    [event] = events_of(api, cast.ops, migrated["order"], "process_migrated")
    assert (event["data"]["from_version"], event["data"]["to_version"]) == (migrated["v1"], migrated["v2"])


def test_the_history_records_the_analyst_as_the_migrations_actor(api, cast, migrated):
    [event] = events_of(api, cast.ops, migrated["order"], "process_migrated")
    assert event["actor"]["name"] == cast.analyst.name


def test_the_history_chain_stays_intact_after_a_migration(app, migrated):
    from app.services.evidence.history import verify_chains
    _, broken = verify_chains()
    assert [b for b in broken if b[0] == migrated["order"]["id"]] == []


def test_the_order_diagram_shows_the_target_version(api, cast, migrated):
    diagram_ = ok(api.get(f"/api/v1/orders/{migrated['order']['id']}/diagram", cast.buyer.token))
    assert (diagram_["version"], diagram_["active"]) == (migrated["v2"], ["deliver"])


def test_a_migrated_order_continues_to_completion_on_the_target_version(api, cast, migrated, act, upload):
    order = ok(act(cast.seller, migrated["order"], "deliver", {"note": "fixed"}, [upload(cast.seller)]))
    order = ok(act(cast.buyer, order, "accept"))
    assert (order["status"], order["process"]["version"]) == ("completed", migrated["v2"])


def test_a_migrated_order_can_be_rejected_again_and_counts_on(api, cast, migrated, act, upload):
    order = ok(act(cast.seller, migrated["order"], "deliver", {"note": "fixed"}, [upload(cast.seller)]))
    order = ok(act(cast.buyer, order, "reject", {"reason": "still missing"}))
    assert (node_ids(order), order["rejection_count"]) == (["deliver"], 2)


def test_migrating_again_finds_no_order_left_on_the_source_version(api, cast, migrated):
    report = ok(migrate(api, cast.analyst, migrated["key"], migrated["v1"], migrated["v2"]))
    assert report["orders"] == []


def test_an_admin_may_migrate(api, cast, flow, submitted):
    order = submitted(flow["key"])
    v2 = deploy(api, cast.analyst, manual(flow["key"], RELABEL_DELIVER))
    assert entry_for(ok(migrate(api, cast.admin, flow["key"], flow["v1"], v2)), order)["result"] == "migrated"


def test_a_completed_order_is_not_migrated(api, cast, flow, delivered, act):
    order = ok(act(cast.buyer, delivered(flow["key"]), "accept"))
    v2 = deploy(api, cast.analyst, manual(flow["key"], RELABEL_DELIVER))
    ok(migrate(api, cast.analyst, flow["key"], flow["v1"], v2))
    assert get_order(api, cast.buyer, order)["process"]["version"] == flow["v1"]


# -- dry run -------------------------------------------------------------------------------------
@pytest.fixture
def dry_run(api, cast, flow, rejected_once, snapshot):
    """A dry run of v1 -> v2 (deliver relabelled) with one order at deliver; what it left behind."""
    order = rejected_once(flow["key"])
    v2 = deploy(api, cast.analyst, manual(flow["key"], RELABEL_DELIVER))
    before = snapshot(order)
    response = migrate(api, cast.analyst, flow["key"], flow["v1"], v2, dry_run=True)
    return {**flow, "v2": v2, "order": order, "before": before, "response": response}


def test_a_dry_run_reports_the_order_as_would_migrate(dry_run):
    assert entry_for(ok(dry_run["response"]), dry_run["order"])["result"] == "would_migrate"


def test_a_dry_run_says_it_was_a_dry_run(dry_run):
    assert ok(dry_run["response"])["dry_run"] is True


def test_a_dry_run_leaves_the_order_on_its_version(api, cast, dry_run):
    assert get_order(api, cast.buyer, dry_run["order"])["process"]["version"] == dry_run["v1"]


def test_a_dry_run_changes_nothing_of_the_order(dry_run, snapshot):
    assert snapshot(dry_run["order"]) == dry_run["before"]


def test_a_dry_run_records_no_migration_in_the_history(api, cast, dry_run):
    assert events_of(api, cast.ops, dry_run["order"], "process_migrated") == []


def test_after_a_dry_run_the_real_migration_still_moves_the_order(api, cast, dry_run):
    report = ok(migrate(api, cast.analyst, dry_run["key"], dry_run["v1"], dry_run["v2"]))
    assert entry_for(report, dry_run["order"])["result"] == "migrated"


# -- skipping an order whose active node is missing in the target --------------------------------------
@pytest.fixture
def partly(api, cast, flow, submitted, delivered):
    """v1 -> v2 where confirm_acceptance has a new element id, with one order at deliver and one at
    confirm_acceptance; `report` is the migration's answer (dry_run=False) and `dry` a dry run's before it."""
    at_deliver, at_confirm = submitted(flow["key"]), delivered(flow["key"])
    v2 = deploy(api, cast.analyst, manual(flow["key"], RELABEL_DELIVER, REID_CONFIRM))
    dry = ok(migrate(api, cast.analyst, flow["key"], flow["v1"], v2, dry_run=True))
    report = ok(migrate(api, cast.analyst, flow["key"], flow["v1"], v2))
    return {**flow, "v2": v2, "at_deliver": at_deliver, "at_confirm": at_confirm, "report": report, "dry": dry}


def test_an_order_whose_active_node_is_missing_in_the_target_is_skipped(partly):
    assert entry_for(partly["report"], partly["at_confirm"])["result"] == "skipped"


def test_the_skip_reason_names_the_missing_node(partly):
    assert "confirm_acceptance" in entry_for(partly["report"], partly["at_confirm"])["reason"]


def test_an_order_whose_active_node_exists_in_the_target_is_migrated_in_the_same_run(partly):
    assert entry_for(partly["report"], partly["at_deliver"])["result"] == "migrated"


def test_the_report_counts_migrated_and_skipped_orders(partly):
    assert (partly["report"]["migrated"], partly["report"]["skipped"]) == (1, 1)


def test_a_dry_run_reports_the_skip_too(partly):
    entry = entry_for(partly["dry"], partly["at_confirm"])
    assert entry["result"] == "skipped" and "confirm_acceptance" in entry["reason"]


def test_a_skipped_order_stays_on_its_version(api, cast, partly):
    assert get_order(api, cast.buyer, partly["at_confirm"])["process"]["version"] == partly["v1"]


def test_a_skipped_order_records_no_migration(api, cast, partly):
    assert events_of(api, cast.ops, partly["at_confirm"], "process_migrated") == []


def test_a_skipped_order_still_completes_on_its_version(api, cast, partly, act):
    order = ok(act(cast.buyer, partly["at_confirm"], "accept"))
    assert (order["status"], order["process"]["version"]) == ("completed", partly["v1"])


def test_a_migrated_order_reaches_the_renamed_node_of_the_target(api, cast, partly, act, upload):
    order = ok(act(cast.seller, partly["at_deliver"], "deliver", {"note": "done"}, [upload(cast.seller)]))
    assert node_ids(order) == ["buyer_acceptance"]


# -- timers keep their remaining time ---------------------------------------------------------------
T = datetime.fromisoformat("2026-03-02T09:00:00+00:00")  # the parcel is signed at T
TEN_DAYS = timedelta(days=10)
CONFIRM_LABEL = 'name="User confirms receipt"'


def set_clock(api, moment: datetime) -> None:
    response = api.post("/api/v1/testing/clock", json={"set": moment.isoformat()})
    assert response.status_code == 200, response.text


def tick_at(api, moment: datetime) -> None:
    set_clock(api, moment)
    response = api.post("/api/v1/testing/tick")
    assert response.status_code == 200, response.text


@pytest.fixture
def hardware_migrated(api, cast, place_order_on, act):
    """A copy of the hardware flow: an order shipped, signed by its recipient at T (auto-acceptance armed
    for T+10d), then at T+4d migrated to a v2 whose confirm_acceptance has a new label."""
    key = unique_key("migration_hardware")
    v1 = deploy(api, cast.analyst, diagram(HARDWARE, key))
    set_clock(api, T - timedelta(days=1))
    order = place_order_on(key, delivery_type="hardware", manual_kind=None, name="Edge server", spec="2U")
    ok(act(cast.seller, order, "ship", {"carrier": "SF Express", "tracking_no": "SF1234567890"}))
    set_clock(api, T)
    ok(api.post(f"/api/v1/orders/{order['id']}/logistics", cast.platform.token,
                json={"status": "signed", "at": T.isoformat(), "recipient_phone": "+8613800000000"}))
    set_clock(api, T + timedelta(days=4))
    v2 = deploy(api, cast.analyst, diagram(HARDWARE, key, (CONFIRM_LABEL, 'name="Buyer confirms receipt (v2)"')))
    report = ok(migrate(api, cast.analyst, key, v1, v2))
    return {"key": key, "v1": v1, "v2": v2, "order": order, "report": report}


def test_a_hardware_order_with_an_armed_timer_is_migrated(hardware_migrated):
    assert entry_for(hardware_migrated["report"], hardware_migrated["order"])["result"] == "migrated"


def test_a_migrated_timer_keeps_its_due_time(hardware_migrated, query_db):
    assert next_timer_at(query_db, hardware_migrated["order"]) == T + TEN_DAYS


def test_a_migrated_timer_has_not_fired_just_before_ten_days_after_signing(api, cast, hardware_migrated):
    tick_at(api, T + TEN_DAYS - timedelta(minutes=1))
    order = get_order(api, cast.buyer, hardware_migrated["order"])
    assert (order["status"], node_ids(order)) == ("processing", ["confirm_acceptance"])


def test_a_migrated_timer_fires_ten_days_after_signing_not_ten_days_after_the_migration(api, cast,
                                                                                       hardware_migrated):
    tick_at(api, T + TEN_DAYS)
    order = get_order(api, cast.buyer, hardware_migrated["order"])
    assert (order["status"], order["process"]["version"]) == ("completed", hardware_migrated["v2"])


def test_the_auto_acceptance_after_a_migration_is_recorded_as_a_timer_firing(api, cast, hardware_migrated):
    tick_at(api, T + TEN_DAYS)
    [fired] = events_of(api, cast.ops, hardware_migrated["order"], "timer_fired")
    assert datetime.fromisoformat(fired["at"].replace("Z", "+00:00")) == T + TEN_DAYS


@pytest.fixture
def duration_migrated(api, cast, place_order_on):
    """tests/fixtures/timer_due.bpmn with a 10-day timeDuration: started at T, migrated at T+4d to a v2
    where the timer event has a new label (re-arming it from scratch would make it due at T+14d)."""
    key = unique_key("migration_timer")
    v1 = deploy(api, cast.analyst, timer_flow(key, "timeDuration", '"P10D"'))
    set_clock(api, T)
    order = place_order_on(key, delivery_type="data_file", manual_kind=None)
    set_clock(api, T + timedelta(days=4))
    v2 = deploy(api, cast.analyst, timer_flow(key, "timeDuration", '"P10D"', (
        'name="Due on 2020-01-01"', 'name="Ten days after the start"')))
    report = ok(migrate(api, cast.analyst, key, v1, v2))
    return {"key": key, "v1": v1, "v2": v2, "order": order, "report": report}


def test_an_order_waiting_on_a_duration_timer_is_migrated(duration_migrated):
    assert entry_for(duration_migrated["report"], duration_migrated["order"])["result"] == "migrated"


def test_a_migrated_duration_timer_keeps_its_due_time(duration_migrated, query_db):
    assert next_timer_at(query_db, duration_migrated["order"]) == T + TEN_DAYS


def test_a_migrated_duration_timer_fires_at_its_original_due_time(api, cast, duration_migrated):
    tick_at(api, T + TEN_DAYS)
    assert get_order(api, cast.ops, duration_migrated["order"])["status"] == "completed"


def test_a_migrated_duration_timer_has_not_fired_before_its_original_due_time(api, cast, duration_migrated):
    tick_at(api, T + TEN_DAYS - timedelta(minutes=1))
    assert get_order(api, cast.ops, duration_migrated["order"])["status"] == "processing"


# -- refused migrations -----------------------------------------------------------------------------
def test_migrating_to_the_same_version_answers_422(api, cast, problem, flow):
    problem(migrate(api, cast.analyst, flow["key"], flow["v1"], flow["v1"]), 422, "validation_failed")


def test_migrating_to_an_unknown_version_answers_404(api, cast, problem, flow):
    problem(migrate(api, cast.analyst, flow["key"], flow["v1"], 99), 404, "not_found")


def test_migrating_from_an_unknown_version_answers_404(api, cast, problem, flow):
    problem(migrate(api, cast.analyst, flow["key"], 99, flow["v1"]), 404, "not_found")


def test_migrating_an_unknown_key_answers_404(api, cast, problem):
    problem(migrate(api, cast.analyst, unique_key("no_such_flow"), 1, 2), 404, "not_found")


@pytest.mark.parametrize("role", ["buyer", "seller", "ops", "platform"])
def test_other_roles_may_not_migrate(api, make_principal, problem, flow, role):
    problem(migrate(api, make_principal(role), flow["key"], flow["v1"], 2), 403, "forbidden")


def test_migrating_without_a_token_answers_401(api, problem, flow):
    problem(migrate(api, None, flow["key"], flow["v1"], 2), 401, "unauthenticated")


def test_a_refused_migration_leaves_the_order_on_its_version(api, cast, flow, submitted):
    order = submitted(flow["key"])
    v2 = deploy(api, cast.analyst, manual(flow["key"], RELABEL_DELIVER))
    migrate(api, cast.seller, flow["key"], flow["v1"], v2)
    assert get_order(api, cast.buyer, order)["process"]["version"] == flow["v1"]


def test_a_migration_request_without_versions_answers_422(api, cast, problem, flow):
    response = api.post(f"{DEFINITIONS}/{flow['key']}/migrations", cast.analyst.token, json={"dry_run": True})
    problem(response, 422, "validation_failed")
