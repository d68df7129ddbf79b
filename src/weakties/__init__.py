"""weakties: a local-first relationship flywheel.

The Python API is the :class:`~weakties.workspace.Workspace` façade; it is imported lazily so
that ``import weakties`` (and the CLI start-up that goes through it) stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["WeaktiesError", "Workspace", "__version__"]

if TYPE_CHECKING:
    from weakties.errors import WeaktiesError
    from weakties.workspace import Workspace


def __getattr__(name: str) -> Any:
    if name == "Workspace":
        from weakties.workspace import Workspace

        return Workspace
    if name == "WeaktiesError":
        from weakties.errors import WeaktiesError

        return WeaktiesError
    raise AttributeError(name)
