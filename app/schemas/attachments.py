from marshmallow import fields

from app.schemas.common import StrictSchema


class AttachmentSchema(StrictSchema):
    id = fields.String()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
