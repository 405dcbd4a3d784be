from marshmallow import fields, validate

from app.schemas.common import StrictSchema, Text

# RFC 6838 type/subtype names; the column holds 200 characters
CONTENT_TYPE = r"^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*$"


class UploadSchema(StrictSchema):
    """What the multipart part says about the file: its name and media type."""

    filename = Text(255, load_default="upload")
    content_type = fields.String(load_default="application/octet-stream", validate=validate.And(
        validate.Length(max=200), validate.Regexp(CONTENT_TYPE, error="a media type such as application/pdf")))


class AttachmentSchema(StrictSchema):
    id = fields.String()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
