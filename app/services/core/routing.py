"""Which process key a supervised order starts: a data table (config/routing.json), not code."""
import json
from datetime import date, datetime
from functools import lru_cache

from app.extensions import runtime
from app.services.core.calendar import CHINA_TZ


@lru_cache(maxsize=8)
def _rules(path: str) -> tuple[dict, ...]:
    with open(path, encoding="utf-8") as handle:
        return tuple(json.load(handle)["rules"])


def _matches(rule: dict, facts: dict, paid_on: date) -> bool:
    for field, wanted in rule.items():
        if field == "process":
            continue
        if field == "paid_from":
            if paid_on < date.fromisoformat(wanted):
                return False
        elif field == "paid_before":
            if paid_on >= date.fromisoformat(wanted):
                return False
        elif facts.get(field) not in (wanted if isinstance(wanted, list) else [wanted]):
            return False
    return True


def process_key_for(facts: dict, paid_at: datetime) -> str | None:
    """The first rule matching the order's facts (delivery type, kind, mode, class, scenario, pay date)."""
    for rule in _rules(runtime.settings["ROUTING_FILE"]):
        if _matches(rule, facts, paid_at.astimezone(CHINA_TZ).date()):
            return rule["process"]
    return None


def routed_keys() -> frozenset:
    """Every process key some rule routes orders to (a supervision process, whatever its diagram says)."""
    return frozenset(rule["process"] for rule in _rules(runtime.settings["ROUTING_FILE"]))
