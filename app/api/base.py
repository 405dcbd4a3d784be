"""The Blueprint every resource uses: flask-smorest's, plus what the OpenAPI document needs on every
operation without writing it by hand per route: the application/problem+json responses the operation
can give, the bearer security of authenticated views, and the contract's `pages` in X-Pagination."""
import json
from http import HTTPStatus

import marshmallow as ma
from flask_smorest import Blueprint as SmorestBlueprint
from flask_smorest import pagination

from app.schemas.common import ProblemSchema
from app.services.core.transaction import COUNT_LIMIT

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_STATUSES = (400, 401, 403, 404, 409, 413, 422, 500)
BEARER = "bearerAuth"
PAGINATION_HEADER = {
    "description": "JSON: total, total_exact, total_pages, pages, first_page, last_page, page, previous_page, "
                   "next_page, and next_after (the `after` cursor of the next page, absent on the last one) on "
                   "listings that take `after`; a page asked for with `after` has no page, previous_page, next_page. "
                   f"Rows are counted up to {COUNT_LIMIT:,}: past that, total is {COUNT_LIMIT:,} with total_exact "
                   "false (at least that many; total_pages, pages and last_page are lower bounds too) and next_page "
                   "is given while rows follow",
    "schema": {"type": "string"}, "example": '{"total": 42, "total_exact": true, "total_pages": 3, "pages": 3, '
                                             '"first_page": 1, "last_page": 3, "page": 1, "next_page": 2}'}
KEYSET_ONLY_DROPS = ("page", "previous_page", "next_page")  # a page after a cursor has no known number


def _numbered(page: int, more: bool) -> dict:
    """page, previous_page and next_page from the page itself, when the last page is not known."""
    numbers = {"page": page, "previous_page": page - 1 if page > 1 else None, "next_page": page + 1 if more else None}
    return {name: number for name, number in numbers.items() if number is not None}


MAX_PAGE = 1_000_000  # page * page_size stays far inside the databases' 64-bit OFFSET
_smorest_pagination_schema = pagination._pagination_parameters_schema_factory


def _bounded_pagination_schema(def_page, def_page_size, def_max_page_size):
    """smorest's pagination arguments with a highest page, validated and documented as `maximum`."""
    base = _smorest_pagination_schema(def_page, def_page_size, def_max_page_size)
    page = ma.fields.Integer(load_default=def_page, validate=ma.validate.Range(min=1, max=MAX_PAGE))
    return type("PaginationParametersSchema", (base,), {"page": page})


# flask-smorest builds the schema through this module function and has no option for a highest page
pagination._pagination_parameters_schema_factory = _bounded_pagination_schema


def problem_response_name(status: int) -> str:
    return f"Problem{status}"


def register_components(spec) -> None:
    """The Problem schema, one problem+json response per error status, and the bearer scheme."""
    spec.components.schemas.pop("Error", None)  # flask-smorest's application/json error body: never sent
    spec.components.schema("Problem", schema=ProblemSchema)
    for status in PROBLEM_STATUSES:
        spec.components.response(problem_response_name(status), {
            "description": f"{HTTPStatus(status).phrase} (RFC 9457 problem document)",
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}})
    spec.components.security_scheme(BEARER, {"type": "http", "scheme": "bearer",
                                             "description": "A principal's token (`flask principal create`)."})


def problems(*statuses: int):
    """Declare the error statuses a view's service decides: 403 by its policy, 409 by the state it finds."""

    def decorate(view):
        declared = getattr(view, "_apidoc", {})
        view._apidoc = {**declared, "problems": sorted({*declared.get("problems", ()), *statuses})}
        return view

    return decorate


def problem_statuses(doc: dict, doc_info: dict) -> list[int]:
    """The error statuses an operation can answer, from what its view declares.

    Every operation can fail (500); a bearer token can be missing or unknown (401); the policy table may
    refuse the role (403, declared by the view); an id in the path can name nothing visible (404); a
    body can be malformed or of the wrong type (400), too large (413) or fail validation (422), and so can
    query arguments (422); the service may refuse for the state it finds (409, declared)."""
    statuses = {500, *doc_info.get("problems", ())}
    if doc_info.get("authenticated"):
        statuses.add(401)
    if "<" in doc_info.get("rule", ""):
        statuses.add(404)
    if "requestBody" in doc or "requestBody" in doc_info.get("manual_doc", {}):
        statuses |= {400, 413, 422}
    if doc_info.get("arguments"):
        statuses.add(422)
    return sorted(statuses)


class Blueprint(SmorestBlueprint):
    """flask-smorest's blueprint with problem+json error responses and bearer security documented."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._prepare_doc_cbks.append(self._prepare_problem_doc)

    def add_url_rule(self, rule, endpoint=None, view_func=None, provide_automatic_options=None, **kwargs):
        super().add_url_rule(rule, endpoint, view_func, provide_automatic_options, **kwargs)
        for method, doc in self._docs[self._endpoints[-1]].items():
            if method != "parameters":
                doc["rule"] = rule

    @staticmethod
    def _prepare_problem_doc(doc, doc_info, **kwargs):
        responses = doc.setdefault("responses", {})
        responses.pop("default", None)
        for status in problem_statuses(doc, doc_info):
            responses[status] = problem_response_name(status)
        for response in responses.values():
            if isinstance(response, dict) and "X-Pagination" in response.get("headers", {}):
                response["headers"]["X-Pagination"] = PAGINATION_HEADER  # a header carries a string
        if doc_info.get("authenticated"):
            doc["security"] = [{BEARER: []}]
        return doc

    def _set_pagination_metadata(self, page_params, result, headers):
        """smorest's X-Pagination, plus the keyset cursor of the next page (app/api/paging.py page_of)."""
        metadata = self._make_pagination_metadata(page_params.page, page_params.page_size, page_params.item_count)
        metadata["total_exact"] = getattr(page_params, "total_exact", True)
        if not metadata["total_exact"]:  # total is a lower bound: the page's neighbours are known, the last one not
            metadata.update(_numbered(page_params.page, getattr(page_params, "more", False)))
        if getattr(page_params, "keyset", False):
            for name in KEYSET_ONLY_DROPS:
                metadata.pop(name, None)
        if getattr(page_params, "next_after", None):
            metadata["next_after"] = page_params.next_after
        headers = {} if headers is None else headers
        headers[self.PAGINATION_HEADER_NAME] = json.dumps(metadata)
        return result, headers

    @staticmethod
    def _make_pagination_metadata(page, page_size, item_count):
        """The contract's `pages` beside flask-smorest's `total_pages`."""
        metadata = SmorestBlueprint._make_pagination_metadata(page, page_size, item_count)
        metadata["pages"] = metadata["total_pages"]
        return metadata
