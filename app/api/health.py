from app.api.base import Blueprint
from app.services.core.health import check_database

blp = Blueprint("health", __name__, description="Liveness and database reachability")


@blp.route("/healthz")
@blp.response(200)
def healthz():
    """Service and database status."""
    return {"status": "ok", "database": check_database()}
