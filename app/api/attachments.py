from flask import request, send_file
from flask.views import MethodView

from app.api.auth import actor, authenticated
from app.api.base import Blueprint
from app.api.bodies import ATTACHMENT_UPLOAD, FILE_BYTES
from app.errors import ValidationFailedError
from app.schemas.attachments import AttachmentSchema
from app.services import attachments

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
        return attachments.upload(actor(), upload.stream, upload.filename, upload.mimetype)


@blp.route("/attachments/<attachment_id>", methods=["GET"])
@authenticated()
@blp.doc(**FILE_BYTES)
def download(attachment_id):
    """The file's bytes, for its uploader, the parties of orders that reference it, and staff."""
    meta, path = attachments.readable(actor(), attachment_id)
    return send_file(path, mimetype=meta["content_type"], download_name=meta["filename"], as_attachment=True,
                     etag=meta["sha256"])
