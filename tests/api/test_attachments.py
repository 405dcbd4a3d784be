"""Attachments over real HTTP: content-addressed storage, who may download, size limit."""
import io
import hashlib
import uuid
from pathlib import Path

import pytest

ATTACHMENTS = "/api/v1/attachments"


def unique_bytes(size: int = 64) -> bytes:
    """Content no other test uploads (so file counts on disk are ours alone)."""
    seed = uuid.uuid4().bytes
    return (seed * (size // len(seed) + 1))[:size]


def post_file(api, who, content: bytes, filename: str = "report.pdf", content_type: str = "application/pdf"):
    return api.post(ATTACHMENTS, who.token, files={"file": (filename, content, content_type)})


def uploaded(api, who, content: bytes, **kw) -> dict:
    response = post_file(api, who, content, **kw)
    assert response.status_code == 201, response.text
    return response.json()


def download(api, who, attachment_id: str):
    return api.get(f"{ATTACHMENTS}/{attachment_id}", who.token if who else None)


def files_holding(app, content: bytes) -> list[Path]:
    """Files under ATTACHMENT_DIR whose bytes are exactly `content`, whatever the store's layout."""
    digest = hashlib.sha256(content).hexdigest()
    root = Path(app.config["ATTACHMENT_DIR"])
    return [p for p in root.rglob("*") if p.is_file() and p.stat().st_size == len(content)
            and hashlib.sha256(p.read_bytes()).hexdigest() == digest]


def all_files(app) -> set[Path]:
    return {p for p in Path(app.config["ATTACHMENT_DIR"]).rglob("*") if p.is_file()}


@pytest.fixture
def limit(app):
    """Lower the attachment limit for one test; restored afterwards."""
    saved = app.config["MAX_ATTACHMENT_BYTES"]

    def set_limit(value: int) -> int:
        app.config["MAX_ATTACHMENT_BYTES"] = value
        return value

    yield set_limit
    app.config["MAX_ATTACHMENT_BYTES"] = saved


# -- uploading -----------------------------------------------------------------------------------
def test_an_upload_answers_201_with_id_filename_content_type_size_and_sha256(api, cast):
    content = unique_bytes(1000)
    response = post_file(api, cast.buyer, content, filename="requirement.pdf", content_type="application/pdf")
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) >= {"id", "filename", "content_type", "size", "sha256"}
    assert body["id"]
    assert (body["filename"], body["content_type"], body["size"]) == ("requirement.pdf", "application/pdf", 1000)


def test_the_reported_sha256_is_the_sha256_of_the_bytes(api, cast):
    content = unique_bytes(4096)
    assert uploaded(api, cast.buyer, content)["sha256"] == hashlib.sha256(content).hexdigest()


def test_the_bytes_are_stored_in_a_real_file_under_the_attachment_dir(app, api, cast):
    content = unique_bytes(2048)
    uploaded(api, cast.seller, content)
    assert len(files_holding(app, content)) == 1


def test_identical_content_is_stored_once_on_disk_but_gets_two_ids(app, api, cast):
    content = unique_bytes(512)
    first = uploaded(api, cast.buyer, content, filename="a.pdf")
    second = uploaded(api, cast.seller, content, filename="b.pdf")
    assert first["id"] != second["id"]
    assert first["sha256"] == second["sha256"]
    assert len(files_holding(app, content)) == 1
    assert download(api, cast.buyer, first["id"]).content == content
    assert download(api, cast.seller, second["id"]).content == content


def test_an_empty_file_is_accepted(api, cast):
    body = uploaded(api, cast.buyer, b"")
    assert (body["size"], body["sha256"]) == (0, hashlib.sha256(b"").hexdigest())


def test_an_upload_without_the_file_field_is_a_validation_error(api, cast):
    response = api.post(ATTACHMENTS, cast.buyer.token, files={"document": ("x.pdf", b"x", "application/pdf")})
    assert response.status_code == 422, response.text
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert response.json()["code"] == "validation_failed"
    assert "file" in response.json()["errors"]


def test_an_upload_without_a_token_is_unauthenticated(api):
    response = api.post(ATTACHMENTS, files={"file": ("x.pdf", b"x", "application/pdf")})
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_the_default_limit_is_20_mib(app):
    assert app.config["MAX_ATTACHMENT_BYTES"] == 20 * 1024 * 1024


def test_an_upload_over_the_limit_is_payload_too_large(api, cast, limit):
    limit(1000)
    response = post_file(api, cast.buyer, unique_bytes(1001))
    assert response.status_code == 413, response.text
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert response.json()["code"] == "payload_too_large"
    assert response.json()["limit_bytes"] == 1000 and "1000 bytes" in response.json()["detail"]


def test_a_refused_upload_leaves_no_file_behind(app, api, cast, limit):
    limit(1000)
    before = all_files(app)
    assert post_file(api, cast.buyer, unique_bytes(5000)).status_code == 413
    assert all_files(app) == before


def test_an_upload_of_exactly_the_limit_is_accepted(api, cast, limit):
    limit(1000)
    assert uploaded(api, cast.buyer, unique_bytes(1000))["size"] == 1000


# -- downloading ---------------------------------------------------------------------------------
def test_the_uploader_downloads_the_exact_bytes(api, cast):
    content = unique_bytes(3000)
    attachment = uploaded(api, cast.buyer, content, filename="scan.png", content_type="image/png")
    response = download(api, cast.buyer, attachment["id"])
    assert response.status_code == 200, response.text
    assert response.content == content
    assert response.headers["Content-Type"].startswith("image/png")


def test_a_download_forbids_content_type_sniffing(api, cast):
    attachment = uploaded(api, cast.buyer, b"<html><script>alert(1)</script></html>", filename="page.html",
                          content_type="text/html")
    response = download(api, cast.buyer, attachment["id"])
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers["Content-Disposition"].startswith("attachment")


def test_the_other_party_cannot_download_before_the_attachment_is_used_on_their_order(api, cast, place_order):
    place_order()
    attachment = uploaded(api, cast.buyer, unique_bytes())
    response = download(api, cast.seller, attachment["id"])
    assert response.status_code == 404, response.text
    assert response.json()["code"] == "not_found"


def test_the_seller_downloads_what_the_buyer_attached_to_an_action_on_their_order(api, cast, place_order, act):
    order = place_order()
    content = unique_bytes(777)
    attachment = uploaded(api, cast.buyer, content)
    submitted = act(cast.buyer, order, "submit_requirement", {"description": "Migrate"}, [attachment["id"]])
    assert submitted.status_code == 200, submitted.text
    response = download(api, cast.seller, attachment["id"])
    assert response.status_code == 200, response.text
    assert response.content == content


def test_the_buyer_downloads_what_the_seller_attached_to_the_delivery(api, cast, place_order, walk, act):
    order = walk(place_order(), "deliver")
    content = unique_bytes(999)
    attachment = uploaded(api, cast.seller, content)
    assert act(cast.seller, order, "deliver", {"note": "done"}, [attachment["id"]]).status_code == 200
    response = download(api, cast.buyer, attachment["id"])
    assert response.status_code == 200, response.text
    assert response.content == content


def test_the_other_party_downloads_an_attachment_of_an_appeal_on_their_order(api, cast, place_order):
    order = place_order()
    content = unique_bytes()
    attachment = uploaded(api, cast.seller, content)
    appealed = api.post(f"/api/v1/orders/{order['id']}/appeals", cast.seller.token,
                        json={"reason": "r", "demand": "d", "attachments": [attachment["id"]]})
    assert appealed.status_code == 201, appealed.text
    assert download(api, cast.buyer, attachment["id"]).content == content


@pytest.mark.parametrize("role", ["ops", "admin", "reviewer"])
def test_staff_download_any_attachment(api, cast, make_principal, role):
    content = unique_bytes()
    attachment = uploaded(api, cast.buyer, content)
    staff = make_principal("reviewer", "cloud_review") if role == "reviewer" else getattr(cast, role)
    response = download(api, staff, attachment["id"])
    assert response.status_code == 200, response.text
    assert response.content == content


def test_another_buyer_gets_404(api, cast, place_order, act):
    order = place_order()
    attachment = uploaded(api, cast.buyer, unique_bytes())
    act(cast.buyer, order, "submit_requirement", {"description": "Migrate"}, [attachment["id"]])
    response = download(api, cast.other_buyer, attachment["id"])
    assert response.status_code == 404, response.text
    assert response.json()["code"] == "not_found"


def test_a_seller_of_another_order_gets_404(api, cast, place_order, act):
    order = place_order()
    attachment = uploaded(api, cast.buyer, unique_bytes())
    act(cast.buyer, order, "submit_requirement", {"description": "Migrate"}, [attachment["id"]])
    assert download(api, cast.other_seller, attachment["id"]).status_code == 404


def test_an_analyst_gets_404(api, cast):
    attachment = uploaded(api, cast.buyer, unique_bytes())
    assert download(api, cast.analyst, attachment["id"]).status_code == 404


def test_a_download_without_a_token_is_unauthenticated(api, cast):
    attachment = uploaded(api, cast.buyer, unique_bytes())
    response = download(api, None, attachment["id"])
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_an_unknown_attachment_is_not_found(api, cast):
    response = download(api, cast.ops, "no-such-attachment")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_attaching_someone_elses_upload_to_your_own_order_does_not_grant_access(api, cast, place_order, act):
    foreign = uploaded(api, cast.other_buyer, unique_bytes())
    order = place_order()
    response = act(cast.buyer, order, "submit_requirement", {"description": "Migrate"}, [foreign["id"]])
    assert response.status_code == 422, response.text
    assert download(api, cast.buyer, foreign["id"]).status_code == 404


def test_an_own_upload_sent_beside_someone_elses_is_not_linked_either(api, cast, place_order, act):
    """The own one is linked first (one INSERT ... SELECT), the other refused: the refusal takes the link back."""
    own, foreign = uploaded(api, cast.buyer, unique_bytes()), uploaded(api, cast.other_buyer, unique_bytes())
    order = place_order()
    response = act(cast.buyer, order, "submit_requirement", {"description": "Migrate"}, [own["id"], foreign["id"]])
    assert response.status_code == 422, response.text
    assert response.json()["errors"] == {"attachments": [f"unknown attachment {foreign['id']}"]}
    assert download(api, cast.seller, own["id"]).status_code == 404


def test_an_attachment_sent_with_a_refused_action_stays_private(api, cast, place_order, act):
    order = place_order()
    attachment = uploaded(api, cast.buyer, unique_bytes())
    refused = act(cast.buyer, order, "submit_requirement", {}, [attachment["id"]])  # no description
    assert refused.status_code == 422, refused.text
    assert download(api, cast.seller, attachment["id"]).status_code == 404


def test_a_body_past_the_request_limit_is_refused_unread_saying_the_limits(app, cast, limit, monkeypatch):
    limit(1000)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2000)
    response = app.test_client().post("/api/v1/attachments", headers={"Authorization": f"Bearer {cast.buyer.token}"},
                                      data={"file": (io.BytesIO(b"x" * 5000), "big.pdf")})
    assert response.status_code == 413
    problem = response.get_json()
    assert problem["code"] == "payload_too_large" and problem["limit_bytes"] == 1000
    assert "1000 bytes" in problem["detail"] and "2000 bytes" in problem["detail"]
