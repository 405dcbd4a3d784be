"""No diagram can hang or exhaust the platform (issue 7).

Each hostile diagram is a copy of the general manual-service flow (tests/bpmn_variants.py) with one
hostile element. It is either refused at deploy (422 invalid_bpmn pinned to the element), or it deploys
and the action that reaches the element puts the order in `error`; either answer comes in under a
second, and meanwhile /healthz, polled from another thread, answers 200 within a second every time.
The element sits after submit_requirement, so the buyer's first action is the request that runs it.
"""
import threading
import time
from contextlib import contextmanager

import pytest
import requests

from tests.bpmn_variants import DELIVER_INCOMING, SUBMIT_TO_DELIVER, manual, unique_key
from tests.helpers import get_order

DEFINITIONS = "/api/v1/process-definitions"
XML = {"Content-Type": "application/xml"}
TEN_TO_THE_12 = " ".join(f"for {v} in 'x' * 1000" for v in "abcd")  # 1000**4 iterations
GIGABYTES = "len([a * 1000 for a in [b * 1000 for b in ['xyz' * 800]]])"  # 2.4 GB of strings under eval


def after_submit(*elements: tuple[str, str]) -> tuple[tuple[str, str], ...]:
    """Insert (element id, element XML with `{flows}` where its flows go) in a chain between
    submit_requirement and deliver."""
    ids = ["submit_requirement", *(element_id for element_id, _ in elements), "deliver"]
    names = ["flow_submit_deliver", *(f"flow_{element_id}_next" for element_id, _ in elements)]
    xml = [f'<bpmn:sequenceFlow id="{name}" sourceRef="{source}" targetRef="{target}" />'
           for name, source, target in zip(names, ids, ids[1:])]
    for index, (element_id, element) in enumerate(elements):
        flows = f"<bpmn:incoming>{names[index]}</bpmn:incoming><bpmn:outgoing>{names[index + 1]}</bpmn:outgoing>"
        xml.append(element.format(flows=flows))
    return ((SUBMIT_TO_DELIVER, "\n".join(xml)),
            (DELIVER_INCOMING, DELIVER_INCOMING.replace("flow_submit_deliver", names[-1])))


def timer_element(kind: str, expression: str) -> tuple[str, str]:
    return "hostile_wait", (
        '<bpmn:intermediateCatchEvent id="hostile_wait">{flows}<bpmn:timerEventDefinition id="hostile_wait_def">'
        f'<bpmn:{kind} xsi:type="bpmn:tFormalExpression">{expression}</bpmn:{kind}>'
        "</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>")


def script_element(text: str, loop: str = "", element_id: str = "hostile_script") -> tuple[str, str]:
    return element_id, (f'<bpmn:scriptTask id="{element_id}" scriptFormat="python">{{flows}}{loop}'
                        f"<bpmn:script>{text}</bpmn:script></bpmn:scriptTask>")


def timer(kind: str, expression: str):
    return after_submit(timer_element(kind, expression))


def script(text: str, loop: str = ""):
    return after_submit(script_element(text, loop))


def computed_timer(script_text: str, expression: str):
    """A script task computing a value from task data, then a timer duration using it."""
    return after_submit(script_element(script_text, element_id="compute"), timer_element("timeDuration", expression))


REFUSED = {
    "a 10^12-step comprehension in a timer": (
        timer("timeDuration", f'"P1D" if sum(1 {TEN_TO_THE_12}) else "P2D"'), "hostile_wait", "evaluation budget"),
    "a 2.4 GB allocation in a timer": (
        timer("timeDuration", f'"P1D" if {GIGABYTES} else "P2D"'), "hostile_wait", "evaluation budget"),
    "loopCardinality 3,000,000": (
        script("x = 1", '<bpmn:multiInstanceLoopCharacteristics isSequential="true"><bpmn:loopCardinality>'
               "3000000</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics>"),
        "hostile_script", "exceeds the maximum of 100"),
    "a standard loop without loopMaximum": (
        script("x = 1", '<bpmn:standardLoopCharacteristics><bpmn:loopCondition xsi:type="bpmn:tFormalExpression">'
               "True</bpmn:loopCondition></bpmn:standardLoopCharacteristics>"), "hostile_script", "loopMaximum"),
    "timeDuration P99999999Y": (timer("timeDuration", '"P99999999Y"'), "hostile_wait", "exceeds the maximum"),
    "an R/PT0S cycle": (timer("timeCycle", '"R/PT0S"'), "hostile_wait", "stated number of times"),
    "an unquoted PT30S": (timer("timeDuration", "PT30S"), "hostile_wait", 'quoted string such as "PT30S"'),
}

FAILING = {
    "a script doubling a string 40 times": (script("s = 'ab'\n" + "s = s + s\n" * 40), "hostile_script"),
    "a 10^12-step comprehension in a script": (script(f"n = sum(1 {TEN_TO_THE_12})"), "hostile_script"),
    "a timer duration computed from task data": (
        computed_timer('wait = "P" + str(99999999) + "Y"', 'wait if wait else "P1D"'), "hostile_wait"),
    "a loop cardinality computed from task data": (
        script("x = 1", '<bpmn:multiInstanceLoopCharacteristics isSequential="true"><bpmn:loopCardinality>'
               "len(description) * 1000</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics>"),
        "hostile_script"),
}


@contextmanager
def healthz_stays_up(base: str):
    """Poll /healthz from another thread while the block runs; every poll must answer 200 within 1 s."""
    polls, stop = [], threading.Event()

    def poll():
        with requests.Session() as http:
            while not stop.is_set() or not polls:
                started = time.perf_counter()
                try:
                    status = http.get(f"{base}/healthz", timeout=1).status_code
                except requests.RequestException as exc:
                    status = repr(exc)
                polls.append((status, time.perf_counter() - started))
                stop.wait(0.02)

    watcher = threading.Thread(target=poll, daemon=True)
    watcher.start()
    try:
        yield
    finally:
        stop.set()
        watcher.join(timeout=5)
    assert polls and all(status == 200 and elapsed < 1 for status, elapsed in polls), polls


def timed(call):
    started = time.perf_counter()
    response = call()
    return response, time.perf_counter() - started


@pytest.mark.parametrize("name", REFUSED)
def test_a_hostile_diagram_is_refused_at_deploy_within_a_second(api, live_server, cast, problem, name):
    pairs, element_id, fragment = REFUSED[name]
    with healthz_stays_up(live_server):
        response, elapsed = timed(lambda: api.post(DEFINITIONS, cast.analyst.token, data=manual(unique_key(), *pairs),
                                                   headers=dict(XML)))
    body = problem(response, 422, "invalid_bpmn")
    assert any(p["element_id"] == element_id and fragment in p["message"] for p in body["errors"]), body["errors"]
    assert elapsed < 1


@pytest.mark.parametrize("name", FAILING)
def test_an_order_on_a_hostile_diagram_goes_to_error_within_a_second(api, live_server, cast, place_order_on, act,
                                                                     upload, name):
    pairs, element_id = FAILING[name]
    key = unique_key()
    deployed = api.post(DEFINITIONS, cast.analyst.token, data=manual(key, *pairs), headers=dict(XML))
    assert deployed.status_code == 201, deployed.text
    order, attachment = place_order_on(key), upload(cast.buyer)
    with healthz_stays_up(live_server):
        response, elapsed = timed(lambda: act(cast.buyer, order, "submit_requirement",
                                              {"description": "Migrate 2 TB"}, [attachment]))
    assert response.status_code == 500, response.text
    assert elapsed < 1
    failed = get_order(api, cast.ops, order)
    assert failed["status"] == "error" and failed["error"]["element_id"] == element_id, failed["error"]
