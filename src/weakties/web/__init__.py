"""The local web app: server-rendered pages (Jinja2 + HTMX) and a JSON API under ``/api``.

Both are thin layers over :class:`~weakties.workspace.Workspace`: every page and every API call
goes through the same service functions (:mod:`weakties.web.services`), which call workspace
methods and hold no rules of their own. The app binds to 127.0.0.1 and admits only a browser
that presented the per-install token (see :mod:`weakties.web.auth`). FastAPI is imported only
here and below, never at CLI start-up.
"""

from __future__ import annotations
