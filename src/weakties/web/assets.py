"""Copy the front-end packages' built files from ``node_modules`` into ``static/vendor``.

The packages are pinned in ``package.json`` and installed by ``npm ci`` at build time (``make
web-assets``); only their distribution files are copied, and ``static/vendor`` is not
committed, so nothing third-party lives in the repository. Run ``python -m
weakties.web.assets [NODE_MODULES]``.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

VENDOR = Path(__file__).parent / "static" / "vendor"

FILES: dict[str, str] = {
    "htmx.org/dist/htmx.min.js": "htmx.min.js",
    "cytoscape/dist/cytoscape.min.js": "cytoscape.min.js",
    "@picocss/pico/css/pico.min.css": "pico.min.css",
    "chart.js/dist/chart.umd.js": "chart.umd.js",
    "swagger-ui-dist/swagger-ui-bundle.js": "swagger-ui-bundle.js",
    "swagger-ui-dist/swagger-ui.css": "swagger-ui.css",
}
LICENSES: dict[str, str] = {
    "htmx.org": "LICENSE",
    "cytoscape": "LICENSE",
    "@picocss/pico": "LICENSE.md",
    "chart.js": "LICENSE.md",
    "swagger-ui-dist": "LICENSE",
}


def copy_assets(node_modules: Path, vendor: Path = VENDOR) -> list[Path]:
    """Copy each package's dist file (and licence) into ``vendor``; returns what was written."""
    missing = [src for src in FILES if not (node_modules / src).is_file()]
    if missing:
        raise FileNotFoundError(f"not in {node_modules}: {', '.join(missing)} (run `npm ci` first)")
    vendor.mkdir(parents=True, exist_ok=True)
    written = []
    for src, name in FILES.items():
        target = vendor / name
        shutil.copyfile(node_modules / src, target)
        written.append(target)
    for package, licence in LICENSES.items():
        source = node_modules / package / licence
        if source.is_file():
            target = vendor / f"{package.replace('/', '_').lstrip('@')}.{licence}"
            shutil.copyfile(source, target)
            written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    node_modules = Path(args[0] if args else "node_modules")
    try:
        written = copy_assets(node_modules)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"copied {len(written)} files into {VENDOR}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
