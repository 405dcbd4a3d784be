"""Pagination in flask-smorest's convention: `page`, `page_size` in, X-Pagination header out; listings with a
keyset also take `after` (a cursor) and report `next_after` (docs/decisions.md, "Keyset pagination")."""
from app.api.base import Blueprint  # noqa: F401 (the paginated blueprints import it from here)

PAGING = {"page_size": 20, "max_page_size": 100}


def page_of(pagination_parameters, run) -> list:
    """Call `run(page, page_size)` (a service returning a Page) and report its total and cursor to smorest."""
    result = run(pagination_parameters.page, pagination_parameters.page_size)
    pagination_parameters.item_count = result.total
    pagination_parameters.next_after, pagination_parameters.keyset = result.next_after, result.keyset
    pagination_parameters.total_exact, pagination_parameters.more = result.total_exact, result.more
    return result.items
