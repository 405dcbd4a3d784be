"""GET /orders/{id}/evidence: a ZIP a third party checks offline with the verify.py inside it."""
import io
import json
import subprocess
import sys
import uuid
import zipfile
from pathlib import Path

import pytest

from tests.helpers import history, ok


def evidence(api, who, order):
    return api.get(f"/api/v1/orders/{order['id']}/evidence", who.token if who else None)


def unzip(response, directory: Path) -> Path:
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "application/zip"
    zipfile.ZipFile(io.BytesIO(response.content)).extractall(directory)
    return directory


def run_verify(directory: Path, *args) -> subprocess.CompletedProcess:
    """verify.py as a third party runs it: another process, another working directory, no project on the path."""
    return subprocess.run([sys.executable, "-I", str(directory / "verify.py"), *args], cwd="/",
                          capture_output=True, text=True, timeout=60)


@pytest.fixture
def delivered(api, cast, place_order, act, upload):
    """An order through submit_requirement and deliver (each with its own unique attachment), then appealed."""
    order = place_order()
    requirement = upload(cast.buyer, f"需求文档 {uuid.uuid4()}".encode(), "需求.pdf")
    ok(act(cast.buyer, order, "submit_requirement", {"description": "迁移 2 TB 数据"}, [requirement]))
    proof = upload(cast.seller, f"proof {uuid.uuid4()}".encode(), "proof.pdf")
    ok(act(cast.seller, order, "deliver", {"note": "done"}, [proof]))
    ok(api.post(f"/api/v1/orders/{order['id']}/appeals", cast.buyer.token,
                json={"reason": "交付不完整", "demand": "<b>Finish</b> or refund", "attachments": []}), 201)
    return {**order, "attachment_ids": [requirement, proof]}


@pytest.fixture
def bundle(api, cast, delivered, tmp_path) -> Path:
    return unzip(evidence(api, cast.buyer, delivered), tmp_path / "bundle")


def test_the_bundle_holds_history_attachments_verify_and_summary(bundle, delivered, api, cast):
    saved = json.loads((bundle / "history.json").read_text(encoding="utf-8"))
    shas = {a["sha256"] for a in saved["attachments"]}
    assert {a["id"] for a in saved["attachments"]} == set(delivered["attachment_ids"])
    names = {str(p.relative_to(bundle)) for p in bundle.rglob("*") if p.is_file()}
    assert names == {"history.json", "verify.py", "summary.html", *(f"attachments/{s}" for s in shas)}
    served = history(api, cast.buyer, delivered)
    assert [(e["seq"], e["hash"]) for e in saved["events"]] == [(e["seq"], e["hash"]) for e in served]
    assert saved["head"] == {"seq": served[-1]["seq"], "hash": served[-1]["hash"]}


def test_verify_py_is_the_platforms_own_canonical_form_using_only_the_standard_library(bundle):
    from app.services.core import hashchain
    assert (bundle / "verify.py").read_bytes() == Path(hashchain.__file__).read_bytes()
    imports = [line for line in (bundle / "verify.py").read_text().splitlines() if line.startswith(("import", "from"))]
    assert imports == ["import hashlib", "import json", "import sys", "from pathlib import Path"]


def test_an_untouched_bundle_verifies_in_a_separate_process(bundle):
    result = run_verify(bundle)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("OK: order ") and "2 attachments" in result.stdout


def tamper_event(bundle: Path, seq: int) -> None:
    path = bundle / "history.json"
    saved = json.loads(path.read_text(encoding="utf-8"))
    saved["events"][seq - 1]["data"]["description"] = "迁移 200 TB 数据"
    path.write_text(json.dumps(saved, ensure_ascii=False), encoding="utf-8")


def tamper_attachment(bundle: Path) -> str:
    target = sorted((bundle / "attachments").iterdir())[0]
    target.write_bytes(target.read_bytes() + b" forged")
    return target.name


def test_an_edited_event_is_detected_and_named(bundle):
    tamper_event(bundle, 2)
    result = run_verify(bundle)
    assert result.returncode == 1
    assert result.stdout.strip().endswith("seq 2: content does not match its hash"), result.stdout


def test_an_edited_attachment_is_detected_and_named(bundle):
    sha = tamper_attachment(bundle)
    result = run_verify(bundle)
    assert result.returncode == 1
    assert f"content does not match sha256 {sha}" in result.stdout, result.stdout


def test_with_both_tampered_the_first_break_is_printed(bundle):
    tamper_attachment(bundle)
    tamper_event(bundle, 2)
    result = run_verify(bundle)
    assert result.returncode == 1
    assert result.stdout.count("BROKEN") == 1 and "seq 2: content does not match its hash" in result.stdout


def test_a_deleted_last_event_or_attachment_is_detected(bundle):
    path = bundle / "history.json"
    saved = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**saved, "events": saved["events"][:-1]}), encoding="utf-8")
    assert "are missing" in run_verify(bundle).stdout
    path.write_text(json.dumps(saved), encoding="utf-8")
    removed = sorted((bundle / "attachments").iterdir())[0]
    removed.unlink()
    result = run_verify(bundle)
    assert result.returncode == 1 and f"attachments/{removed.name} is missing" in result.stdout


def test_an_unreadable_bundle_fails(tmp_path):
    from app.services.core import hashchain
    (tmp_path / "verify.py").write_bytes(Path(hashchain.__file__).read_bytes())
    (tmp_path / "history.json").write_text("{not json")
    result = run_verify(tmp_path)
    assert result.returncode == 1 and result.stdout.startswith("BROKEN: the bundle cannot be read")


def test_the_summary_names_order_parties_nodes_in_both_languages_and_the_appeal(bundle, delivered, cast):
    page = (bundle / "summary.html").read_text(encoding="utf-8")
    for expected in (delivered["order_no"], cast.buyer.name, cast.seller.name, "User submits requirement",
                     "用户提交需求", "Seller processes requirement", "服务商处理需求", "交付不完整", "操作记录",
                     "Timeline", "Appeals", "申诉", "需求.pdf", "迁移 2 TB 数据"):
        assert expected in page, expected
    assert "&lt;b&gt;Finish&lt;/b&gt; or refund" in page and "<b>Finish" not in page  # text, never markup


def test_the_response_is_streamed_and_named_after_the_order(app, cast, delivered):
    response = app.test_client().get(f"/api/v1/orders/{delivered['id']}/evidence",
                                     headers={"Authorization": f"Bearer {cast.seller.token}"})
    assert response.status_code == 200 and response.is_streamed
    assert response.headers["Content-Disposition"] == f'attachment; filename="evidence-{delivered["order_no"]}.zip"'
    assert zipfile.ZipFile(io.BytesIO(response.get_data())).testzip() is None


@pytest.mark.parametrize("who", ["seller", "ops", "admin"])
def test_the_seller_and_staff_may_take_the_bundle(api, cast, delivered, who, tmp_path):
    assert run_verify(unzip(evidence(api, getattr(cast, who), delivered), tmp_path)).returncode == 0


def test_other_buyers_and_sellers_get_404_and_other_roles_403(api, cast, delivered, problem, make_principal):
    for outsider in (cast.other_buyer, cast.other_seller):
        problem(evidence(api, outsider, delivered), 404, "not_found")
    for role in ("analyst", "platform", "reviewer"):
        problem(evidence(api, make_principal(role, "base_manager" if role == "reviewer" else None), delivered),
                403, "forbidden")
    problem(evidence(api, cast.ops, {"id": "no-such-order"}), 404, "not_found")
    problem(evidence(api, None, delivered), 401)
