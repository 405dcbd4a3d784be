"""The testing clock: registered only when TEST_CLOCK is on (never in production)."""
from marshmallow import fields

from app.api.base import Blueprint
from app.api.bodies import EXAMPLES
from app.schemas.common import TEST_CLOCK_LATEST, Moment, StrictSchema, Text
from app.services.core import testing_clock

blp = Blueprint("testing", __name__, url_prefix="/api/v1/testing", description="Testing clock (TEST_CLOCK=1 only)")


class ClockChangeSchema(StrictSchema):
    advance = Text(40)
    set = Moment(latest=TEST_CLOCK_LATEST)


@blp.route("/clock", methods=["GET"])
@blp.response(200)
def read_clock():
    """The platform's current time."""
    return testing_clock.now()


@blp.route("/clock", methods=["POST"])
@blp.arguments(ClockChangeSchema, example=EXAMPLES["clock"])
@blp.response(200)
def change_clock(body):
    """Advance the clock by an ISO duration or set it to a time."""
    return testing_clock.change(body.get("advance"), body.get("set"))


@blp.route("/tick", methods=["POST"])
@blp.response(200)
def tick():
    """Fire every due timer now."""
    return testing_clock.tick()
