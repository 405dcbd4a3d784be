"""Pagination in flask-smorest's convention: `page`, `page_size` in, X-Pagination header out."""
from app.api.base import Blueprint  # noqa: F401 (the paginated blueprints import it from here)

PAGING = {"page_size": 20, "max_page_size": 100}


def page_of(pagination_parameters, run) -> list:
    """Call `run(page, page_size)` (a service returning a Page) and report its total to smorest."""
    result = run(pagination_parameters.page, pagination_parameters.page_size)
    pagination_parameters.item_count = result.total
    return result.items
