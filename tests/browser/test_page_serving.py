"""How the pages are served, without a browser: the bpmn-js files, the security headers, and a
clear answer (not a 500) when `npm install --prefix app/web` has not been run."""
import pytest

import app.web as web


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def without_bpmn_js(monkeypatch, tmp_path):
    monkeypatch.setattr(web, "BPMN_JS_DIST", tmp_path / "node_modules" / "bpmn-js" / "dist")


@pytest.mark.parametrize("path", ["/web/editor", "/web/orders/some-order-id", "/web/analytics/some-key",
                                  "/web/appeals", "/web/inbox"])
def test_without_node_modules_the_pages_answer_503_naming_the_install_command(client, without_bpmn_js, path):
    response = client.get(path)
    assert response.status_code == 503
    assert "npm install --prefix app/web" in response.get_data(as_text=True)


def test_without_node_modules_the_vendor_files_answer_503_naming_the_install_command(client, without_bpmn_js):
    response = client.get("/web/vendor/bpmn-js/bpmn-modeler.production.min.js")
    assert response.status_code == 503
    assert "npm install --prefix app/web" in response.get_data(as_text=True)


def test_the_bpmn_js_bundles_and_styles_are_served_from_node_modules(client, bpmn_js_requirements):
    for name in ("bpmn-modeler.production.min.js", "bpmn-navigated-viewer.production.min.js",
                 "assets/bpmn-js.css", "assets/diagram-js.css", "assets/bpmn-font/css/bpmn-embedded.css"):
        response = client.get(f"/web/vendor/bpmn-js/{name}")
        assert response.status_code == 200, name
        assert response.data == (web.BPMN_JS_DIST / name).read_bytes()


def test_the_vendor_route_serves_nothing_outside_bpmn_js_dist(client, bpmn_js_requirements):
    assert client.get("/web/vendor/bpmn-js/../package.json").status_code == 404
    assert client.get("/web/vendor/bpmn-js/%2e%2e/package.json").status_code == 404


def test_the_pages_forbid_foreign_scripts_and_keep_the_order_id_as_text(client, bpmn_js_requirements):
    response = client.get('/web/orders/"><img src=x onerror=alert(1)>')
    assert response.status_code == 200
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "<img src=x" not in response.get_data(as_text=True)


def test_web_redirects_to_the_editor(client):
    response = client.get("/web/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/web/editor")


def test_the_swagger_ui_assets_come_from_the_npm_package(client, app):
    assert app.config["OPENAPI_SWAGGER_UI_URL"] == web.SWAGGER_UI_ASSETS
    page = client.get("/api/docs").get_data(as_text=True)
    for name in ("swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css"):
        assert f"{web.SWAGGER_UI_ASSETS}{name}" in page
        response = client.get(f"{web.SWAGGER_UI_ASSETS}{name}")
        assert response.status_code == 200, name
        assert response.data == (web.SWAGGER_UI_DIST / name).read_bytes()
    assert "//" not in page.replace("http://", "").replace("https://", "") or "cdn" not in page.lower()
    assert "cdn" not in page.lower() and "unpkg" not in page.lower()


def test_without_swagger_ui_dist_the_assets_answer_503_naming_the_install_command(client, monkeypatch, tmp_path):
    monkeypatch.setattr(web, "SWAGGER_UI_DIST", tmp_path / "swagger-ui-dist")
    response = client.get(f"{web.SWAGGER_UI_ASSETS}swagger-ui-bundle.js")
    assert response.status_code == 503 and "npm install --prefix app/web" in response.get_data(as_text=True)


def test_the_landing_page_links_the_pages_and_the_docs(client):
    response = client.get("/")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    for href in ("/web/editor", "/web/inbox", "/web/appeals", "/api/docs", "/api/openapi.json", "/healthz"):
        assert f'href="{href}"' in page
        assert client.get(href).status_code in (200, 302), href


def test_the_editor_allows_exactly_its_import_map_and_maps_bare_names_to_node_modules(client, bpmn_js_requirements):
    import json
    import re

    from app.web import vendor
    response = client.get("/web/editor")
    page = response.get_data(as_text=True)
    imports_text = re.search(r'<script type="importmap">(.*?)</script>', page, re.S).group(1)
    assert vendor.script_hash(imports_text) in response.headers["Content-Security-Policy"]
    imports = json.loads(imports_text)["imports"]
    for name in ("bpmn-js-properties-panel", "@bpmn-io/properties-panel", "min-dash", "preact", "preact/hooks"):
        assert client.get(imports[name]).status_code == 200, name
    assert imports["preact/hooks"].startswith("/web/vendor/npm/@bpmn-io/properties-panel/preact/")  # one preact
    assert imports["classnames"] == "/web/static/shims/classnames.js"  # CommonJS only: our ES module


def test_the_npm_route_redirects_extension_less_modules_and_serves_nothing_outside_node_modules(
        client, bpmn_js_requirements):
    response = client.get("/web/vendor/npm/bpmn-js/lib/util/ModelUtil")
    assert response.status_code == 302 and response.headers["Location"].endswith("/bpmn-js/lib/util/ModelUtil.js")
    assert client.get("/web/vendor/npm/@fontsource/noto-sans-sc/400.css").status_code == 200
    assert client.get("/web/vendor/npm/../package.json").status_code == 404
    assert client.get("/web/vendor/npm/%2e%2e/vendor.py").status_code == 404
    assert client.get("/web/vendor/npm/no-such-package/index.js").status_code == 404
