"""Pagination in flask-smorest's convention: `page`, `page_size` in, X-Pagination header out."""
from flask_smorest import Blueprint as SmorestBlueprint

from app.errors import ValidationFailedError

PAGING = {"page_size": 20, "max_page_size": 100}
MAX_PAGE = 1_000_000  # page * page_size stays far inside the databases' 64-bit OFFSET


class Blueprint(SmorestBlueprint):
    """flask-smorest's blueprint, with the contract's `pages` in X-Pagination (beside `total_pages`)."""

    @staticmethod
    def _make_pagination_metadata(page, page_size, item_count):
        metadata = SmorestBlueprint._make_pagination_metadata(page, page_size, item_count)
        metadata["pages"] = metadata["total_pages"]
        return metadata


def page_of(pagination_parameters, run) -> list:
    """Call `run(page, page_size)` (a service returning a Page) and report its total to smorest."""
    if pagination_parameters.page > MAX_PAGE:
        raise ValidationFailedError({"page": [f"must be between 1 and {MAX_PAGE}"]})
    result = run(pagination_parameters.page, pagination_parameters.page_size)
    pagination_parameters.item_count = result.total
    return result.items
