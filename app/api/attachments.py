from flask import request, send_file
from flask.views import MethodView
from marshmallow import ValidationError

from app.api.auth import actor, authenticated
from app.api.base import Blueprint
from app.api.bodies import ATTACHMENT_UPLOAD, FILE_BYTES
from app.text import UNSTORABLE_MESSAGE, unstorable
from app.errors import ValidationFailedError
from app.schemas.attachments import AttachmentSchema, UploadSchema
from app.services.evidence import attachments

blp = Blueprint("attachments", __name__, url_prefix="/api/v1", description="Evidence files")


@blp.route("/attachments")
class Attachments(MethodView):
    @authenticated()
    @blp.doc(**ATTACHMENT_UPLOAD)
    @blp.response(201, AttachmentSchema)
    def post(self):
        """Upload one file (multipart field `file`)."""
        upload = request.files.get("file")
        if upload is None:
            raise ValidationFailedError({"file": ["a multipart field named 'file' is required"]})
        meta = _upload_metadata(upload)
        return attachments.upload(actor(), upload.stream, meta["filename"], meta["content_type"])


def _upload_metadata(upload) -> dict:
    """The part's filename and content type, refused (422) when no column could hold them."""
    given = {k: v for k, v in (("filename", upload.filename), ("content_type", upload.mimetype)) if v}
    errors = {key: [UNSTORABLE_MESSAGE] for key, value in given.items() if unstorable(value)}
    if errors:
        raise ValidationFailedError(errors)
    try:
        return UploadSchema().load(given)
    except ValidationError as exc:
        raise ValidationFailedError(exc.messages) from None


@blp.route("/attachments/<attachment_id>", methods=["GET"])
@authenticated()
@blp.doc(**FILE_BYTES)
def download(attachment_id):
    """The file's bytes, for its uploader, the parties of orders that reference it, and staff."""
    meta, path = attachments.readable(actor(), attachment_id)
    return send_file(path, mimetype=meta.content_type, download_name=meta.filename, as_attachment=True,
                     etag=meta.sha256)
