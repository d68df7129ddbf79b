"""One-way layers (DESIGN §5): every module's imports point down, never up.

domain → store/importers/synth → analysis/engines → workspace → cli/web. Imports inside an
``if TYPE_CHECKING:`` block are exempt: they are annotations only and run no code.
"""

from __future__ import annotations

import ast
from pathlib import Path

import weakties

ROOT = Path(weakties.__file__).parent
BASE = {"errors", "domain"}
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "domain": {"errors"},
    "store": BASE,
    "importers": BASE,
    "synth": BASE,
    "analysis": BASE,
    "engines": BASE | {"analysis"},
    "workspace": BASE | {"store", "importers", "synth", "analysis", "engines"},
    # `weakties serve` starts the web app: the one arrow between the two interfaces
    "cli": BASE
    | {"store", "importers", "synth", "analysis", "engines", "workspace", "web", "__init__"},
    "web": BASE | {"store", "importers", "synth", "analysis", "engines", "workspace", "__init__"},
    "__init__": {"errors", "workspace"},
    "__main__": {"cli"},
}


def _layer(module: str) -> str:
    parts = module.split(".")
    if parts[0] != "weakties":
        raise ValueError(module)
    if len(parts) == 1:
        return "__init__"
    return parts[1].removesuffix(".py")


def _runtime_imports(tree: ast.AST) -> list[str]:
    found: list[str] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
            found.extend(f"{node.module}.{alias.name}" for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def test_every_import_points_down() -> None:
    violations = []
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT.parent).with_suffix("")
        module = ".".join(relative.parts)
        if module.endswith(".__init__"):
            module = module.removesuffix(".__init__")
        if "migrations" in module:
            continue
        own = _layer(module)
        for target in _runtime_imports(ast.parse(path.read_text(encoding="utf-8"))):
            if not target.startswith("weakties"):
                continue
            if target == "weakties":
                other = "__init__"
            else:
                other = _layer(target)
                if target.split(".")[1] in ("__version__",):
                    other = "__init__"
            if other != own and other not in ALLOWED[own]:
                violations.append(f"{module} imports {target} ({own} → {other})")
    assert not violations, "\n".join(violations)


def test_the_test_sees_a_violation(tmp_path: Path) -> None:
    tree = ast.parse("from weakties.cli.app import app\nimport weakties.workspace\n")
    imports = _runtime_imports(tree)
    assert "weakties.cli.app" in imports and "weakties.workspace" in imports
    assert "cli" not in ALLOWED["store"]
