"""The OpenAPI document (/api/openapi.json): valid OpenAPI 3, problem+json errors on every operation,
bearer security, request bodies for the uploads with examples, and responses that match it."""
import pytest

DOCUMENT = "/api/openapi.json"
PROBLEM = "application/problem+json"
METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def document(app):
    from tests.conftest import TestClientApi
    response = TestClientApi(app).get(DOCUMENT)
    assert response.status_code == 200, response.text
    return response.json()


def operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def resolve(document, node: dict) -> dict:
    while "$ref" in node:
        section, name = node["$ref"].split("/")[-2:]
        node = document["components"][section][name]
    return node


def test_the_document_is_valid_openapi(document):
    from openapi_spec_validator import validate
    validate(document)


def test_every_error_response_is_a_problem_document_and_there_is_no_catch_all(document):
    for path, method, operation in operations(document):
        responses = operation["responses"]
        assert "default" not in responses, (method, path)
        assert "500" in responses, (method, path)
        for status, response in responses.items():
            if int(status) >= 400:
                content = resolve(document, response)["content"]
                assert list(content) == [PROBLEM], (method, path, status)
                assert content[PROBLEM]["schema"] == {"$ref": "#/components/schemas/Problem"}


def test_each_operation_declares_the_errors_it_can_give(document):
    for path, method, operation in operations(document):
        statuses = set(operation["responses"])
        if operation.get("security"):
            assert {"401", "403"} <= statuses, (method, path)
        if "{" in path:
            assert "404" in statuses, (method, path)
        if method == "post":
            assert {"400", "409", "413", "422"} <= statuses, (method, path)


def test_authenticated_operations_declare_the_bearer_scheme(document):
    assert document["components"]["securitySchemes"]["bearer"] == {
        "type": "http", "scheme": "bearer", "description": "A principal's token (`flask principal create`)."}
    public = {("/healthz", "get")} | {(p, m) for p, m, _ in operations(document) if p.startswith("/api/v1/testing/")}
    for path, method, operation in operations(document):
        expected = None if (path, method) in public else [{"bearer": []}]
        assert operation.get("security") == expected, (method, path)


def test_every_request_body_is_declared_with_an_example(document):
    bodies = {(p, m): o["requestBody"] for p, m, o in operations(document) if "requestBody" in o}
    assert set(bodies["/api/v1/attachments", "post"]["content"]) == {"multipart/form-data"}
    assert set(bodies["/api/v1/process-definitions", "post"]["content"]) == {"application/xml",
                                                                           "multipart/form-data"}
    for (path, method), body in bodies.items():
        for media_type, content in body["content"].items():
            assert "example" in content, (method, path, media_type)


def test_money_is_a_string_on_the_wire_and_in_the_document(document):
    amount = document["components"]["schemas"]["OrderCreate"]["properties"]["amount_paid"]
    assert amount["type"] == "string" and "minimum" not in amount, amount


@pytest.mark.parametrize("request_args, status", [
    (("GET", "/api/v1/orders/no-such-order"), 404),
    (("GET", "/api/v1/orders"), 401),
    (("POST", "/api/v1/appeals/no-such-appeal/claim"), 403),
])
def test_problem_responses_match_the_document(api, document, cast, request_args, status):
    from openapi_schema_validator import OAS30Validator
    method, path = request_args
    token = None if status == 401 else (cast.buyer.token if status == 403 else cast.ops.token)
    response = api.request(method, path, token)
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == PROBLEM
    OAS30Validator(document["components"]["schemas"]["Problem"]).validate(response.json())


def test_a_disallowed_method_is_405_with_allow(api, cast):
    response = api.request("PUT", "/api/v1/attachments", cast.buyer.token, data=b"x",
                           headers={"Content-Type": "text/plain"})
    assert response.status_code == 405, response.text
    assert response.headers["Content-Type"] == PROBLEM
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"POST"}
