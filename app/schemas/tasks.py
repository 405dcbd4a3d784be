from marshmallow import fields

from app.schemas.common import AttachmentIds, Cursor, StrictSchema, Text


class ActionSchema(StrictSchema):
    data = fields.Dict(load_default=dict, metadata={
        "description": "the fields of the form the task names for this action (see the process diagram)"})
    attachments = AttachmentIds()


class TaskCompleteSchema(ActionSchema):
    action = Text(60, required=True)


class TaskListArgs(StrictSchema):
    delivery_type = Text(30)
    node = Text(100)
    overdue = fields.Boolean()
    after = Cursor()


class TaskSchema(StrictSchema):
    id = fields.String()
    order_id = fields.String(allow_none=True)
    order_no = fields.String(allow_none=True)
    refund_id = fields.String(allow_none=True, metadata={"description": "set on the tasks of a refund"})
    application_id = fields.String(allow_none=True, metadata={
        "description": "set on the tasks of a purchase application (which have no order)"})
    delivery_type = fields.String(allow_none=True)
    node = fields.String(attribute="node_id")
    name = fields.String()
    name_zh = fields.String(allow_none=True)
    role = fields.String()
    review_role = fields.String(allow_none=True)
    actions = fields.List(fields.String())
    action_forms = fields.Dict(keys=fields.String(), values=fields.Dict(), metadata={
        "description": "per action, the JSON Schema of its `data` plus `attachments` (derived from the form the "
                       "task names for it): the inbox page builds the action's form from it"})
    created_at = fields.DateTime()
    due_at = fields.DateTime(allow_none=True)
    overdue = fields.Boolean()
