"""OpenAPI request bodies no marshmallow schema describes (the uploads), and one example per JSON body."""

EXAMPLE_BPMN = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="Definitions_example" '
    'targetNamespace="http://bpmn.io/schema/bpmn">\n'
    '  <bpmn:process id="example_process" name="Example" isExecutable="true">\n'
    '    <bpmn:startEvent id="start"><bpmn:outgoing>flow</bpmn:outgoing></bpmn:startEvent>\n'
    '    <bpmn:endEvent id="service_completed"><bpmn:incoming>flow</bpmn:incoming></bpmn:endEvent>\n'
    '    <bpmn:sequenceFlow id="flow" sourceRef="start" targetRef="service_completed" />\n'
    '  </bpmn:process>\n'
    '</bpmn:definitions>\n')


def _file_part(description: str) -> dict:
    return {"type": "object", "required": ["file"],
            "properties": {"file": {"type": "string", "format": "binary", "description": description}}}


ATTACHMENT_UPLOAD = {"requestBody": {"required": True, "content": {"multipart/form-data": {
    "schema": _file_part("the file; its name and content type are kept"),
    "example": {"file": "evidence of the delivery"}}}}}

DIAGRAM_UPLOAD = {"requestBody": {
    "required": True, "description": "A BPMN 2.0 diagram: the XML as the body, or a multipart field `file`.",
    "content": {
        "application/xml": {"schema": {"type": "string", "format": "binary"}, "example": EXAMPLE_BPMN},
        "multipart/form-data": {"schema": _file_part("the .bpmn file"), "example": {"file": EXAMPLE_BPMN}}}}}

DIAGRAM_XML = {"responses": {200: {"description": "The BPMN XML",
                                   "content": {"application/xml": {"schema": {"type": "string"}}}}}}
FILE_BYTES = {"responses": {200: {"description": "The file's bytes, with the content type it was uploaded with",
                                  "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}}}}}
EVIDENCE_ZIP = {"responses": {200: {
    "description": "A ZIP: history.json (the hash chain), attachments/<sha256>, verify.py, summary.html",
    "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}}}}}

EXAMPLES = {
    "principal": {"name": "ana", "role": "analyst"},
    "order": {"order_no": "CS2026112100001", "buyer": "alice", "seller": "acme",
              "product": {"name": "Data migration", "delivery_type": "manual_service", "manual_kind": "standard",
                          "goods_class": "general", "scenario": "none", "supervised": True},
              "billing": {"mode": "periodic", "period": "P1M"}, "amount_paid": "1000.00",
              "paid_at": "2026-11-21T08:00:00+00:00"},
    "action": {"data": {"description": "Migrate 2 TB"}, "attachments": []},
    "task": {"action": "submit_requirement", "data": {"description": "Migrate 2 TB"}, "attachments": []},
    "appeal": {"reason": "The seller stopped answering", "demand": "Finish the migration or refund",
               "attachments": []},
    "resolution": {"outcome": "resume", "note": "The seller confirmed a delivery date"},
    "logistics": {"status": "signed", "at": "2026-11-25T10:00:00+00:00", "recipient_phone": "+8613800000000"},
    "activation": {"real_effect_time": "2026-11-22T08:00:00+00:00"},
    "current": {"version": 1},
    "migration": {"from_version": 1, "to_version": 2, "dry_run": True},
    "clock": {"advance": "P1D"},
    "invoice": {"type": "electronic", "title": "Example Co., Ltd.", "tax_id": "91440300MA5EXAMPLE"},
    "invoice_issue": {"invoice_no": "INV2026000123"},
    "invoice_return": {"tracking_no": "SF1234567890"},
    "refund": {"amount": "400.00", "reason": "The seller cannot deliver phase 2", "share_contact": True},
    "refund_action": {"data": {"reason": "The work was delivered as agreed"}, "attachments": []},
    "tenant": {"name": "weaver-hq", "cloud": "private", "environment": "env-shanghai", "supervisor": True},
    "app": {"app_id": "crm-pro", "name": "CRM Pro", "special": False, "trial": True},
    "purchase_application": {"app_id": "crm-pro", "kind": "purchase", "pc_seats": 50, "mobile_seats": 20,
                             "contact": {"name": "Li Lei", "phone": "+8613800000000", "email": "li@example.com"}},
    "application_action": {"data": {"pc_seats": 50, "mobile_seats": 20, "expires_on": "2027-12-31"},
                           "attachments": []},
    "production_interface": {"url": "https://isv.example.com/saasproduce"},
}
