"""Pagination in flask-smorest's convention: `page`, `page_size` in, X-Pagination header out."""
from app.api.base import Blueprint  # noqa: F401 (the paginated blueprints import it from here)

from app.errors import ValidationFailedError

PAGING = {"page_size": 20, "max_page_size": 100}
MAX_PAGE = 1_000_000  # page * page_size stays far inside the databases' 64-bit OFFSET


def page_of(pagination_parameters, run) -> list:
    """Call `run(page, page_size)` (a service returning a Page) and report its total to smorest."""
    if pagination_parameters.page > MAX_PAGE:
        raise ValidationFailedError({"page": [f"must be between 1 and {MAX_PAGE}"]})
    result = run(pagination_parameters.page, pagination_parameters.page_size)
    pagination_parameters.item_count = result.total
    return result.items
