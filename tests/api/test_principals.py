"""POST /principals (admin): new principals and their one-time tokens."""
import uuid

import pytest

PRINCIPALS = "/api/v1/principals"


def new_name(prefix: str = "p") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def create(api, admin, **body):
    return api.post(PRINCIPALS, admin.token if admin else None, json=body)


def test_an_admin_creates_a_principal_and_gets_its_token(api, cast):
    name = new_name("buyer")
    response = create(api, cast.admin, name=name, role="buyer")
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["name"], body["role"]) == (name, "buyer")
    assert isinstance(body["token"], str) and len(body["token"]) >= 20


def test_the_new_token_authenticates_as_the_new_principal(api, cast):
    name = new_name("buyer")
    token = create(api, cast.admin, name=name, role="buyer").json()["token"]
    response = api.get("/api/v1/orders", token)
    assert response.status_code == 200, response.text
    assert response.json() == []


def test_the_new_token_carries_the_new_principals_role(api, cast):
    token = create(api, cast.admin, name=new_name("analyst"), role="analyst").json()["token"]
    response = api.post(PRINCIPALS, token, json={"name": new_name(), "role": "buyer"})
    assert response.status_code == 403


def test_a_reviewer_is_created_with_its_review_role(api, cast):
    response = create(api, cast.admin, name=new_name("reviewer"), role="reviewer", review_role="rep_office")
    assert response.status_code == 201, response.text
    assert response.json()["role"] == "reviewer"
    assert api.get("/api/v1/tasks", response.json()["token"]).status_code == 200


def test_two_principals_get_different_tokens(api, cast):
    first = create(api, cast.admin, name=new_name(), role="seller").json()["token"]
    second = create(api, cast.admin, name=new_name(), role="seller").json()["token"]
    assert first != second


@pytest.mark.parametrize("role", ["buyer", "seller", "ops", "analyst", "platform"])
def test_only_an_admin_may_create_principals(api, cast, role):
    name = new_name()
    response = create(api, getattr(cast, role), name=name, role="admin")
    assert response.status_code == 403, response.text
    assert response.json()["code"] == "forbidden"
    assert create(api, cast.admin, name=name, role="buyer").status_code == 201  # the name was not taken


def test_creating_a_principal_without_a_token_is_unauthenticated(api):
    response = create(api, None, name=new_name(), role="buyer")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_a_duplicate_name_is_a_conflict(api, cast):
    name = new_name()
    assert create(api, cast.admin, name=name, role="buyer").status_code == 201
    response = create(api, cast.admin, name=name, role="seller")
    assert response.status_code == 409, response.text
    assert response.json()["code"] == "conflict"


def test_a_reviewer_without_a_review_role_is_a_validation_error(api, cast):
    response = create(api, cast.admin, name=new_name(), role="reviewer")
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "validation_failed"
    assert "review_role" in response.json()["errors"]


def test_an_unknown_review_role_is_a_validation_error(api, cast):
    response = create(api, cast.admin, name=new_name(), role="reviewer", review_role="janitor")
    assert response.status_code == 422, response.text
    assert "review_role" in response.json()["errors"]


def test_an_unknown_role_is_a_validation_error(api, cast):
    response = create(api, cast.admin, name=new_name(), role="superuser")
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "validation_failed"
    assert "role" in response.json()["errors"]


def test_a_missing_name_is_a_validation_error(api, cast):
    response = create(api, cast.admin, role="buyer")
    assert response.status_code == 422, response.text
    assert "name" in response.json()["errors"]


def test_a_rejected_creation_leaves_the_name_free(api, cast):
    name = new_name()
    assert create(api, cast.admin, name=name, role="reviewer").status_code == 422
    assert create(api, cast.admin, name=name, role="reviewer", review_role="base_manager").status_code == 201
