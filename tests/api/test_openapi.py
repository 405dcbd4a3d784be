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


# The error statuses each operation documents (500 everywhere): the contract's routes, derived from what
# each can give (401 authenticated, 403 role-limited, 404 path id, 400/413/422 body, 422 query, 409 state).
ERRORS = {
    ("get", "/healthz"): set(),
    ("post", "/api/v1/principals"): {400, 401, 403, 409, 413, 422},
    ("post", "/api/v1/orders"): {400, 401, 403, 409, 413, 422},
    ("get", "/api/v1/orders"): {401, 403, 422},
    ("get", "/api/v1/orders/{order_id}"): {401, 403, 404},
    ("get", "/api/v1/orders/{order_id}/history"): {401, 403, 404},
    ("get", "/api/v1/orders/{order_id}/diagram"): {401, 403, 404},
    ("get", "/api/v1/orders/{order_id}/evidence"): {401, 403, 404},
    ("post", "/api/v1/orders/{order_id}/actions/{action}"): {400, 401, 403, 404, 409, 413, 422},
    ("post", "/api/v1/orders/{order_id}/appeals"): {400, 401, 403, 404, 409, 413, 422},
    ("post", "/api/v1/orders/{order_id}/logistics"): {400, 401, 403, 404, 409, 413, 422},
    ("post", "/api/v1/authcodes/{code}/activate"): {400, 401, 403, 404, 409, 413, 422},
    ("get", "/api/v1/tasks"): {401, 403, 422},
    ("post", "/api/v1/tasks/{task_id}/complete"): {400, 401, 403, 404, 409, 413, 422},
    ("get", "/api/v1/appeals"): {401, 403, 422},
    ("post", "/api/v1/appeals/{appeal_id}/claim"): {401, 403, 404, 409},
    ("post", "/api/v1/appeals/{appeal_id}/resolve"): {400, 401, 403, 404, 409, 413, 422},
    ("post", "/api/v1/attachments"): {400, 401, 413, 422},
    ("get", "/api/v1/attachments/{attachment_id}"): {401, 404},
    ("get", "/api/v1/process-definitions"): {401, 403},
    ("post", "/api/v1/process-definitions"): {400, 401, 403, 413, 422},
    ("get", "/api/v1/process-definitions/{key}/versions/{version}"): {401, 403, 404},
    ("post", "/api/v1/process-definitions/{key}/current"): {400, 401, 403, 404, 413, 422},
    ("post", "/api/v1/process-definitions/{key}/migrations"): {400, 401, 403, 404, 413, 422},
    ("get", "/api/v1/process-definitions/{key}/statistics"): {401, 403, 404},
    ("post", "/api/v1/orders/{order_id}/invoices"): {400, 401, 403, 404, 409, 413, 422},
    ("get", "/api/v1/orders/{order_id}/invoices"): {401, 403, 404},
    ("get", "/api/v1/invoices/{invoice_id}"): {401, 403, 404},
    ("post", "/api/v1/invoices/{invoice_id}/issue"): {400, 401, 403, 404, 409, 413, 422},
    ("post", "/api/v1/invoices/{invoice_id}/return"): {400, 401, 403, 404, 409, 413, 422},
    ("post", "/api/v1/invoices/{invoice_id}/confirm-return"): {401, 403, 404, 409},
    ("post", "/api/v1/invoices/{invoice_id}/withdraw"): {401, 403, 404, 409},
    ("get", "/api/v1/orders/{order_id}/refund-options"): {401, 403, 404, 422},
    ("post", "/api/v1/orders/{order_id}/refunds"): {400, 401, 403, 404, 409, 413, 422},
    ("get", "/api/v1/refunds"): {401, 403, 422},
    ("get", "/api/v1/refunds/{refund_id}"): {401, 403, 404},
    ("post", "/api/v1/refunds/{refund_id}/actions/{action}"): {400, 401, 403, 404, 409, 413, 422},
    ("post", "/api/v1/refunds/{refund_id}/appeals"): {400, 401, 403, 404, 409, 413, 422},
    ("get", "/api/v1/refund-quota"): {401, 403},
    ("get", "/api/v1/notifications"): {401, 422},
    ("post", "/api/v1/notifications/{notification_id}/read"): {401, 404},
    ("get", "/api/v1/accounts/me"): {401, 403},
    ("post", "/api/v1/tenants"): {400, 401, 403, 409, 413, 422},
    ("post", "/api/v1/apps"): {400, 401, 403, 409, 413, 422},
    ("post", "/api/v1/purchase-applications"): {400, 401, 403, 409, 413, 422},
    ("get", "/api/v1/purchase-applications"): {401, 403, 422},
    ("get", "/api/v1/purchase-applications/{application_id}"): {401, 403, 404},
    ("post", "/api/v1/purchase-applications/{application_id}/actions/{action}"): {400, 401, 403, 404, 409, 413,
                                                                                 422},
    ("get", "/api/v1/entitlements"): {401, 403},
    ("get", "/api/v1/entitlements/check"): {401, 403, 422},
    ("put", "/api/v1/sellers/{name}/production-interface"): {400, 401, 403, 404, 413, 422},
    ("post", "/api/v1/principals/{name}/access-keys"): {401, 403, 404, 422},
    ("get", "/api/v1/callbacks"): {401, 403, 422},
    ("post", "/api/v1/callbacks/{callback_id}/retry"): {401, 403, 404, 409},
    ("get", "/api/v1/testing/clock"): set(),
    ("post", "/api/v1/testing/clock"): {400, 413, 422},
    ("post", "/api/v1/testing/tick"): set(),
}


def error_statuses(operation) -> set[int]:
    return {int(status) for status in operation["responses"] if int(status) >= 400} - {500}


def test_each_operation_declares_exactly_the_errors_it_can_give(document):
    documented = {(method, path): error_statuses(op) for path, method, op in operations(document)}
    assert documented == ERRORS


def test_the_declared_errors_follow_from_the_operation(document):
    for path, method, operation in operations(document):
        statuses = error_statuses(operation)
        query = [p for p in operation.get("parameters", []) if resolve(document, p)["in"] == "query"]
        assert (401 in statuses) == bool(operation.get("security")), (method, path)
        assert (404 in statuses) == ("{" in path), (method, path)
        assert ({400, 413} <= statuses) == ("requestBody" in operation), (method, path)
        if "requestBody" in operation or query:
            assert 422 in statuses, (method, path)
        assert statuses <= {400, 401, 403, 404, 409, 413, 422}, (method, path)


def test_the_problem_schema_is_the_rfc_9457_document_with_the_contract_code(document):
    problem = document["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail", "code"} <= set(problem["properties"])


def test_authenticated_operations_declare_the_bearer_scheme(document):
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer", "description": "A principal's token (`flask principal create`)."}
    public = {("/healthz", "get")} | {(p, m) for p, m, _ in operations(document) if p.startswith("/api/v1/testing/")}
    for path, method, operation in operations(document):
        expected = None if (path, method) in public else [{"bearerAuth": []}]
        assert operation.get("security") == expected, (method, path)


def test_every_request_body_is_declared_with_an_example(document):
    bodies = {(p, m): o["requestBody"] for p, m, o in operations(document) if "requestBody" in o}
    assert set(bodies) == {(p, m) for (m, p), errors in ERRORS.items() if 413 in errors}
    upload = bodies["/api/v1/attachments", "post"]["content"]
    assert set(upload) == {"multipart/form-data"}
    assert upload["multipart/form-data"]["schema"]["properties"]["file"] == {
        "type": "string", "format": "binary", "description": "the file; its name and content type are kept"}
    deploy = bodies["/api/v1/process-definitions", "post"]["content"]
    assert set(deploy) == {"application/xml", "multipart/form-data"}
    assert deploy["application/xml"]["example"].startswith("<?xml")
    for (path, method), body in bodies.items():
        for media_type, content in body["content"].items():
            assert "schema" in content and "example" in content, (method, path, media_type)


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
