"""Attack 2 at deploy time: a supervision process cannot reach service_completed without an acceptance, and it
ends nowhere else. Refused diagrams that reuse a routed key change nothing (keep_current_versions guards it).
"""
import pytest

from tests.api.test_definitions import deploy, pinned_to
from tests.bpmn_variants import TIMER_DUE, diagram, manual, unique_key
from tests.lint_variants import PROCESS_END, shipped


@pytest.fixture
def key():
    return unique_key("accept")


# -- acceptance before service_completed --------------------------------------------------------------------
def test_deliver_leading_straight_to_the_end_is_refused_with_the_path(api, cast, problem, key):
    response = deploy(api, cast.analyst, manual(key, (
        'sourceRef="gw_delivered" targetRef="confirm_acceptance"', 'sourceRef="gw_delivered" '
                                                                     'targetRef="service_completed"')))
    assert ("service_completed is reachable without an acceptance: path start → submit_requirement → deliver → "
            "gw_delivered → service_completed") in pinned_to(problem, response, "service_completed")


def test_an_acceptance_task_in_the_seller_lane_is_no_acceptance(api, cast, problem, key):
    response = deploy(api, cast.analyst, manual(key, ("<bpmn:flowNodeRef>confirm_acceptance</bpmn:flowNodeRef>", ""),
                                                ("<bpmn:flowNodeRef>deliver</bpmn:flowNodeRef>",
                                                 "<bpmn:flowNodeRef>deliver</bpmn:flowNodeRef>"
                                                 "<bpmn:flowNodeRef>confirm_acceptance</bpmn:flowNodeRef>")))
    assert any("without an acceptance" in m for m in pinned_to(problem, response, "service_completed"))


def test_a_supervision_process_ending_elsewhere_than_service_completed_is_refused(api, cast, problem, key):
    response = deploy(api, cast.analyst, manual(key, ("service_completed", "all_done")))
    assert any("ends only at service_completed" in m for m in pinned_to(problem, response, "all_done"))
    assert "a supervision process needs its end event service_completed" in pinned_to(problem, response, key)


def test_a_second_end_event_of_a_supervision_process_is_refused(api, cast, problem, key):
    abandon = ('<bpmn:endEvent id="abandoned" /><bpmn:sequenceFlow id="flow_abandon" sourceRef="gw_delivered" '
               'targetRef="abandoned"><bpmn:conditionExpression>decision == "quit"</bpmn:conditionExpression>'
               '</bpmn:sequenceFlow>')
    response = deploy(api, cast.analyst, manual(key, (PROCESS_END, abandon + PROCESS_END)))
    assert any("ends only at service_completed" in m for m in pinned_to(problem, response, "abandoned"))


def test_a_routed_key_is_a_supervision_process_even_without_lanes(api, cast, problem, keep_current_versions):
    keep_current_versions("data_file")
    lanes = TIMER_DUE.read_text(encoding="utf-8").split("<bpmn:laneSet")[1].split("</bpmn:laneSet>")[0]
    response = deploy(api, cast.analyst, diagram(TIMER_DUE, "data_file", (
        f"<bpmn:laneSet{lanes}</bpmn:laneSet>", ""),
        ('sourceRef="start" targetRef="confirm_acceptance"', 'sourceRef="start" targetRef="service_completed"')))
    assert ("service_completed is reachable without an acceptance: path start → service_completed"
            in pinned_to(problem, response, "service_completed"))


def test_a_parcel_signature_leading_to_the_end_is_no_acceptance(api, cast, problem, key):
    xml = shipped("hardware", key, ('sourceRef="parcel_signed" targetRef="arm_auto_accept"',
                                    'sourceRef="parcel_signed" targetRef="gw_accept"'))
    messages = pinned_to(problem, deploy(api, cast.analyst, xml.encode()), "service_completed")
    assert ("service_completed is reachable without an acceptance: path start → ship → confirm_acceptance → "
            "parcel_signed → gw_accept → service_completed") in messages


def test_an_auto_acceptance_timer_on_another_task_is_no_acceptance(api, cast, problem, key):
    timer = 'name="Auto-acceptance due" cancelActivity="true" attachedToRef='
    xml = shipped("hardware", key, (f'{timer}"confirm_acceptance"', f'{timer}"ship"'))
    messages = pinned_to(problem, deploy(api, cast.analyst, xml.encode()), "service_completed")
    assert any("path start → ship → auto_accept_timer → auto_accept" in m for m in messages)


def test_a_reviewer_approval_is_an_acceptance(api, cast, key):
    xml = shipped("license_offline_joint", key, ('sourceRef="gw_base" targetRef="confirm_acceptance"',
                                                 'sourceRef="gw_base" targetRef="service_completed"'))
    assert deploy(api, cast.analyst, xml.encode()).status_code == 201


def test_a_review_scenario_skipping_every_acceptance_is_refused(api, cast, problem, key):
    xml = shipped("license_offline_joint", key, ('sourceRef="gw_scenario" targetRef="confirm_acceptance"',
                                                 'sourceRef="gw_scenario" targetRef="service_completed"'))
    assert ("service_completed is reachable without an acceptance: path start → deliver_license → gw_scenario → "
            "service_completed") in pinned_to(problem, deploy(api, cast.analyst, xml.encode()), "service_completed")


def test_the_shipped_acceptances_deploy_under_keys_of_their_own(api, cast, key):
    for name in ("hardware", "license_authcode_v1", "license_authcode_v2", "license_package", "saas_joint"):
        assert deploy(api, cast.analyst, shipped(name, f"{key}_{name}").encode()).status_code == 201, name
