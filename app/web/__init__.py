"""Pages for people: the analysts' diagram editor, an order's diagram page, a process's analytics.

The pages are static shells; everything they show comes from the JSON API (/api/v1) with the bearer
token the person pasted once (kept in sessionStorage). bpmn-js is served as-is from the npm package
installed by `npm install --prefix app/web` (no build step, nothing vendored in git).
"""
import mimetypes
from pathlib import Path

from flask import Blueprint, Response, redirect, render_template, send_from_directory, url_for

from app.web import vendor

WEB_DIR = Path(__file__).resolve().parent
BPMN_JS_DIST = WEB_DIR / "node_modules" / "bpmn-js" / "dist"
SWAGGER_UI_DIST = WEB_DIR / "node_modules" / "swagger-ui-dist"
SWAGGER_UI_ASSETS = "/api/docs/assets/"  # OPENAPI_SWAGGER_UI_URL points here
PAGE_PACKAGES = ("bpmn-js-properties-panel/dist/index.esm.js", "@bpmn-io/properties-panel/dist/index.esm.js",
                 "@fontsource/noto-sans-sc/400.css")
mimetypes.add_type("text/javascript", ".mjs")
INSTALL_COMMAND = "npm install --prefix app/web"
# bpmn-js sets inline style attributes on its SVG and embeds its icon font as a data: URI.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self' data:; "
                           "font-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; "
                           "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")

blueprint = Blueprint("web", __name__, url_prefix="/web", template_folder="templates",
                      static_folder="static", static_url_path="/static")
landing = Blueprint("landing", __name__, template_folder="templates")
swagger_ui = Blueprint("swagger_ui_assets", __name__, url_prefix=SWAGGER_UI_ASSETS.rstrip("/"))
blueprints = (blueprint, landing, swagger_ui)


def bpmn_js_installed() -> bool:
    """True when the bpmn-js bundles the pages load are on disk (and the properties panel and web font the
    pages import from the same node_modules: an install from before they were added counts as missing)."""
    return (BPMN_JS_DIST / "bpmn-modeler.production.min.js").is_file() and \
        (BPMN_JS_DIST / "bpmn-navigated-viewer.production.min.js").is_file() and \
        all((BPMN_JS_DIST.parents[1] / extra).is_file() for extra in PAGE_PACKAGES)


def _page(template: str, **context):
    if not bpmn_js_installed():
        return render_template("missing_assets.html", command=INSTALL_COMMAND, path=str(BPMN_JS_DIST)), 503
    return render_template(template, **context)


@blueprint.after_request
def _page_headers(response: Response) -> Response:
    # The token lives in sessionStorage: keep foreign scripts and framing out, and it out of Referer headers.
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    return response


@blueprint.get("/")
def index():
    """The pages start at the editor."""
    return redirect(url_for("web.editor"))


@blueprint.get("/editor")
def editor():
    """Analysts: open a process key's version in the bpmn-js Modeler with its properties panel, edit it,
    compare it with the current version, deploy it, make an older version current again."""
    if not bpmn_js_installed():
        return _page("editor.html")
    imports = vendor.import_map(url_for("web.npm_module", filename=""), url_for("web.static", filename=""))
    response = Response(render_template("editor.html", import_map=imports))
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
        "script-src 'self'", "script-src 'self' " + vendor.script_hash(imports))
    return response


@blueprint.get("/appeals")
def appeals():
    """Operations: the appeals console (open, overdue, claimed by me; claim; resolve)."""
    return _page("appeals.html")


@blueprint.get("/inbox")
def inbox():
    """Everyone: the caller's tasks across orders, refunds and purchase applications, acted on with a form."""
    return _page("inbox.html")


@blueprint.get("/orders/<order_id>")
def order(order_id: str):
    """An order's diagram (active and completed nodes marked), its nodes and its history."""
    return _page("order.html", order_id=order_id)


@blueprint.get("/analytics/<key>")
def analytics(key: str):
    """Analysts and operations: the current diagram of `key`, each node coloured by how many orders wait
    there and labelled with the median and p90 wait; overdue tasks per node and the open appeals."""
    return _page("analytics.html", key=key)


@blueprint.get("/vendor/bpmn-js/<path:filename>")
def bpmn_js(filename: str):
    """The files of bpmn-js's dist/ folder (UMD bundles and CSS), straight from node_modules."""
    if not bpmn_js_installed():
        return Response(f"bpmn-js is not installed: run `{INSTALL_COMMAND}` in the project directory.\n",
                        status=503, mimetype="text/plain")
    return send_from_directory(BPMN_JS_DIST, filename, max_age=3600)


@blueprint.get("/vendor/npm/<path:filename>")
def npm_module(filename: str):
    """Any file of app/web/node_modules (the ES modules of the editor's properties panel, the CJK web font);
    an extension-less module name or a package directory redirects to its file."""
    found = vendor.resolve(filename)
    if found is None:
        return Response(f"not installed: {filename} (run `{INSTALL_COMMAND}`)\n", status=404, mimetype="text/plain")
    kind, path = found
    if kind == "redirect":
        return redirect(url_for("web.npm_module", filename=path), code=302)
    return send_from_directory(vendor.NODE_MODULES, path, max_age=3600)


@landing.get("/")
def home():
    """The landing page: links to the pages for people and to the API's documentation."""
    return render_template("landing.html")


@swagger_ui.get("/<path:filename>")
def swagger_ui_asset(filename: str):
    """Swagger UI's files (bundle, preset, CSS) from the swagger-ui-dist npm package, never a CDN."""
    if not (SWAGGER_UI_DIST / "swagger-ui-bundle.js").is_file():
        return Response(f"swagger-ui-dist is not installed: run `{INSTALL_COMMAND}` in the project directory.\n",
                        status=503, mimetype="text/plain")
    return send_from_directory(SWAGGER_UI_DIST, filename, max_age=3600)
