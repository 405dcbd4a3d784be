"""Routing (config/routing.json): which process a paid supervised order starts, first match wins;
authcode licences paid before 2024-09-14 (Beijing date) run v1, from that day v2 (docs/domain.md 3.2)."""
from datetime import datetime, timezone
from pathlib import Path

import pytest

from flask import Flask

from app.extensions import state
from app.services.core.process_data import ROUTING_FACTS
from app.services.core.routing import process_key_for, routed_keys

ROUTING = Path(__file__).resolve().parents[2] / "config" / "routing.json"
PAID = datetime(2026, 1, 5, 8, 0, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def routing_file():
    """A bare app whose runtime knows only the routing table: no database, no engine."""
    bare = Flask(__name__)
    state(bare, create=True).runtime.settings = {"ROUTING_FILE": str(ROUTING)}
    with bare.app_context():
        yield


def facts(**given) -> dict:
    return {name: given.get(name) for name in ROUTING_FACTS}


@pytest.mark.parametrize("given,key", [
    ({"delivery_type": "manual_service", "manual_kind": "standard", "goods_class": "general"}, "manual_service_general"),
    ({"delivery_type": "manual_service", "manual_kind": "standard", "goods_class": "joint"}, "manual_service_joint"),
    ({"delivery_type": "manual_service", "manual_kind": "standard", "goods_class": "huawei"}, "manual_service_joint"),
    ({"delivery_type": "manual_service", "manual_kind": "site_building", "goods_class": "general"},
     "manual_service_site_building_general"),
    ({"delivery_type": "saas", "goods_class": "huawei"}, "saas_joint"),
    ({"delivery_type": "data_file", "goods_class": "joint"}, "data_file"),
    ({"delivery_type": "orchestration"}, "orchestration"),
    ({"delivery_type": "hardware", "goods_class": "general"}, "hardware"),
    ({"delivery_type": "license", "license_mode": "offline", "goods_class": "general"}, "license_offline_general"),
    ({"delivery_type": "license", "license_mode": "system_id", "goods_class": "joint"}, "license_system_id"),
    ({"delivery_type": "license", "license_mode": "package"}, "license_package"),
])
def test_each_kind_of_order_is_routed_to_its_process(given, key):
    assert process_key_for(facts(**given), PAID) == key


@pytest.mark.parametrize("paid_at,key", [
    (datetime(2024, 9, 13, 15, 59, 59, tzinfo=timezone.utc), "license_authcode_v1"),  # 13 Sep 23:59:59 Beijing
    (datetime(2024, 9, 13, 16, 0, tzinfo=timezone.utc), "license_authcode_v2"),       # 14 Sep 00:00 Beijing
    (datetime(2024, 9, 14, 0, 0, tzinfo=timezone.utc), "license_authcode_v2"),
    (datetime(2020, 1, 1, tzinfo=timezone.utc), "license_authcode_v1"),
    (datetime(2026, 1, 5, tzinfo=timezone.utc), "license_authcode_v2"),
])
def test_authcode_licences_switch_to_v2_on_the_beijing_day_2024_09_14(paid_at, key):
    assert process_key_for(facts(delivery_type="license", license_mode="authcode", goods_class="joint"), paid_at) == key


@pytest.mark.parametrize("given", [
    {"delivery_type": "manual_service", "manual_kind": "standard", "goods_class": "unknown"},
    {"delivery_type": "license", "license_mode": None},
    {"delivery_type": "teleportation"},
    {},
])
def test_an_order_no_rule_matches_has_no_process(given):
    assert process_key_for(facts(**given), PAID) is None


def test_the_routed_keys_are_the_processes_of_the_rules():
    keys = routed_keys()
    assert {"manual_service_general", "license_authcode_v1", "license_authcode_v2", "hardware"} <= keys
    assert len(keys) == 16
