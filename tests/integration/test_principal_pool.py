"""The principal pool of tests/factories.py: lent only to tests that roll back, each principal once per test."""
import pytest

from tests import factories


def test_a_test_that_rolls_back_meets_distinct_principals_and_new_ones_past_the_pool(make_principal):
    size = factories.PrincipalPool.SIZE
    buyers = [make_principal("buyer") for _ in range(size + 1)]
    assert len({b.name for b in buyers}) == size + 1
    pooled = factories.POOL.names()
    assert all(b.name in pooled for b in buyers[:size])
    assert buyers[size].name not in pooled


def test_a_lent_principal_authenticates_and_has_the_role_asked_for(api, make_principal):
    reviewer = make_principal("reviewer", "rep_office")
    assert reviewer.review_role == "rep_office"
    assert api.get("/api/v1/tasks", reviewer.token).status_code == 200


@pytest.mark.committed
def test_a_test_with_real_commits_never_borrows(app, make_principal):
    assert make_principal("buyer").name not in factories.POOL.names()
