"""Pagination in flask-smorest's convention: `page`, `page_size` in, X-Pagination header out."""
from flask_smorest import Blueprint as SmorestBlueprint

PAGING = {"page_size": 20, "max_page_size": 100}


class Blueprint(SmorestBlueprint):
    """flask-smorest's blueprint, with the contract's `pages` in X-Pagination (beside `total_pages`)."""

    @staticmethod
    def _make_pagination_metadata(page, page_size, item_count):
        metadata = SmorestBlueprint._make_pagination_metadata(page, page_size, item_count)
        metadata["pages"] = metadata["total_pages"]
        return metadata


def page_of(pagination_parameters, run) -> list:
    """Call `run(page, page_size)` (a service returning a Page) and report its total to smorest."""
    result = run(pagination_parameters.page, pagination_parameters.page_size)
    pagination_parameters.item_count = result.total
    return result.items
