#!/usr/bin/env python3
"""Check an order's evidence bundle offline: the hash chain of history.json and every attachment's sha256.

    python3 verify.py [BUNDLE_DIRECTORY]     (default: the directory this script is in)

Prints OK and exits 0 when everything matches; otherwise prints the first break and exits 1.
Standard library only. This file is also the platform's one definition of the chain's canonical form:
app/services/core/audit.py hashes every event with it, and every bundle ships this file as verify.py.
"""
import hashlib
import json
import sys
from pathlib import Path

GENESIS = "0" * 64
CHUNK = 1024 * 1024
BODY = ("order_id", "seq", "at", "actor", "type", "node", "action", "data", "attachments")


def canonical(record: dict) -> str:
    """The hashed text of one event: its content fields (`at` as ISO 8601 text), sorted, compact JSON."""
    body = {name: record[name] for name in BODY}
    body["actor"] = [record["actor"]["name"], record["actor"]["role"]]
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def link_hash(prev_hash: str, record: dict) -> str:
    """sha256 of the previous event's hash followed by this event's canonical text."""
    return hashlib.sha256((prev_hash + canonical(record)).encode()).hexdigest()


def first_break(records: list, head_seq: int, head_hash) -> str | None:
    """Why the chain is broken at its first bad event, or None when it is intact up to the recorded head."""
    prev = GENESIS
    for expected_seq, record in enumerate(records, start=1):
        if record["seq"] != expected_seq:
            return f"seq {expected_seq} is missing (found {record['seq']})"
        if record["prev_hash"] != prev:
            return f"seq {record['seq']}: prev_hash does not match the event before"
        if link_hash(prev, record) != record["hash"]:
            return f"seq {record['seq']}: content does not match its hash"
        prev = record["hash"]
    if len(records) < head_seq:
        return f"seq {len(records) + 1} to {head_seq} are missing (the order's chain head is seq {head_seq})"
    if len(records) > head_seq or prev != (head_hash or GENESIS):
        return f"the chain does not end at the order's recorded head (seq {head_seq})"
    return None


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def attachment_break(directory: Path, manifest: list, records: list) -> str | None:
    """The first attachment that is missing or whose bytes do not hash to its recorded sha256."""
    listed = {entry["id"] for entry in manifest}
    for record in records:
        for attachment_id in record["attachments"]:
            if attachment_id not in listed:
                return f"attachment {attachment_id} (seq {record['seq']}) is not listed in history.json"
    for entry in manifest:
        path = directory / "attachments" / entry["sha256"]
        if not path.is_file():
            return f"attachment {entry['id']} ({entry['filename']}): attachments/{entry['sha256']} is missing"
        if file_sha256(path) != entry["sha256"]:
            return f"attachment {entry['id']} ({entry['filename']}): content does not match sha256 {entry['sha256']}"
    return None


def verify(directory: Path) -> tuple[str | None, dict]:
    """(first break or None, the bundle's history) of the bundle unpacked in `directory`."""
    history = json.loads((directory / "history.json").read_text(encoding="utf-8"))
    records = history["events"]
    problem = first_break(records, history["head"]["seq"], history["head"]["hash"])
    return problem or attachment_break(directory, history["attachments"], records), history


def main(argv: list) -> int:
    directory = Path(argv[0]) if argv else Path(__file__).resolve().parent
    try:
        problem, history = verify(directory)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        print(f"BROKEN: the bundle cannot be read ({type(exc).__name__}: {exc})")
        return 1
    if problem:
        print(f"BROKEN: order {history.get('order_id')}: {problem}")
        return 1
    print(f"OK: order {history['order_id']}: {len(history['events'])} events and "
          f"{len(history['attachments'])} attachments match their hashes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
