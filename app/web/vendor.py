"""npm packages served to the browser as ES modules, straight from app/web/node_modules, no build step.

The editor's properties panel (bpmn-js-properties-panel, @bpmn-io/properties-panel) ships as ES modules
that import other packages by bare name ('min-dash', 'preact/hooks') and files without their `.js`.
`import_map()` maps every installed package's name to its browser entry; `resolve()` turns a request for
an extension-less file or a package directory into a redirect to the real file, so relative imports keep
the right base URL. One copy of preact (the properties panel's own) serves every importer.
"""
import base64
import hashlib
import json
from functools import lru_cache
from pathlib import Path

NODE_MODULES = Path(__file__).resolve().parent / "node_modules"
PREACT = "@bpmn-io/properties-panel/preact"  # the copy @bpmn-io/properties-panel renders with
SHIMS = {"classnames": "shims/classnames.js"}  # CommonJS-only packages: a module of ours in static/
ENTRY_CONDITIONS = ("browser", "import", "module", "default")


def _entry(package_dir: Path) -> str | None:
    """The file (relative to the package) a browser should load for `import 'package'`."""
    try:
        manifest = json.loads((package_dir / "package.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    exports = manifest.get("exports")
    target = exports.get(".", exports) if isinstance(exports, dict) else exports
    while isinstance(target, dict):
        target = next((target[c] for c in ENTRY_CONDITIONS if c in target), None)
    for candidate in (target, manifest.get("module"), manifest.get("main"), "index.js"):
        if isinstance(candidate, str) and (package_dir / candidate).is_file():
            return candidate.removeprefix("./")
    return None


def _packages():
    for path in sorted(NODE_MODULES.iterdir()) if NODE_MODULES.is_dir() else ():
        if path.name.startswith("@"):
            yield from (f"{path.name}/{inner.name}" for inner in sorted(path.iterdir()) if inner.is_dir())
        elif path.is_dir() and not path.name.startswith("."):
            yield path.name


def _directory_entries(base: str, name: str, alias: str | None = None) -> dict:
    """Exact entries for a package and its sub-packages (preact/hooks), by bare name and by directory URL:
    a module imported once as '../preact' and once as 'preact' must resolve to one URL, or the browser
    would load a second instance (and preact's hooks would break)."""
    found = {}
    for manifest in [NODE_MODULES / name / "package.json", *(NODE_MODULES / name).glob("*/package.json")]:
        entry = _entry(manifest.parent)
        if entry:
            inner = manifest.parent.relative_to(NODE_MODULES).as_posix()
            # preact's sub-packages import its core as "../..": the core's URL is its directory
            url = f"{base}{inner}/" if inner == PREACT else f"{base}{inner}/{entry}"
            found[base + inner] = found[inner] = url
            if alias:
                found[alias + inner[len(name):]] = url
    return found


@lru_cache(maxsize=4)
def import_map(base: str, static: str) -> str:
    """The page's <script type="importmap"> text: bare names to URLs under `base` (the vendor route)."""
    imports = {}
    for name in _packages():
        imports[name + "/"] = f"{base}{name}/"
        imports.update(_directory_entries(base, name))
    imports.update(_directory_entries(base, PREACT, alias="preact"))
    for name, shim in SHIMS.items():
        imports[name] = static + shim
    return json.dumps({"imports": imports}, indent=1, sort_keys=True)


def script_hash(text: str) -> str:
    """The CSP source allowing exactly this inline script."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def resolve(filename: str) -> tuple[str, str] | None:
    """('file', path) to serve, ('redirect', path) for the real file of an extension-less name or a
    package directory, or None; paths relative to node_modules, never outside it."""
    root = NODE_MODULES.resolve()
    wanted = (root / filename).resolve()
    if root not in wanted.parents:
        return None
    if wanted.is_file():
        return "file", filename
    if Path(str(wanted) + ".js").is_file():
        return "redirect", filename + ".js"
    if wanted.is_dir():
        entry = _entry(wanted) or ("index.js" if (wanted / "index.js").is_file() else None)
        if entry and wanted == (root / PREACT).resolve() and filename.endswith("/"):
            return "file", f"{PREACT}/{entry}"  # one URL for preact's core (it imports nothing)
        if entry:
            return "redirect", f"{filename.rstrip('/')}/{entry}"
    return None
