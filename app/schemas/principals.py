from marshmallow import fields, validate

from app.actors import REVIEW_ROLES, ROLES
from app.schemas.common import StrictSchema


class PrincipalCreateSchema(StrictSchema):
    name = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_.@-]{1,100}$"))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    review_role = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(REVIEW_ROLES))
    tenant = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=100),
                           metadata={"description": "the Weaver store's tenant of the principal (POST /tenants)"})


class PrincipalSchema(StrictSchema):
    name = fields.String()
    role = fields.String()
    review_role = fields.String(allow_none=True)
    tenant = fields.String(allow_none=True)
    token = fields.String()
