"""The sources page: each configured account's last sync, and a button to sync it now.

The password comes from ``WEAKTIES_SYNC_PASSWORD`` or the OS keyring, as for ``weakties sync``
from cron: the web app never asks for one and never stores one. Not cached: the page shows
the sync that just ran.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from weakties.errors import WeaktiesError
from weakties.web.pages import Svc, render

router = APIRouter(include_in_schema=False)


def _page(
    request: Request, svc: Svc, message: str | None = None, failed: bool = False
) -> HTMLResponse:
    return render(
        request,
        "sources.html",
        {"sources": svc.ws.sources(), "message": message, "failed": failed},
    )


@router.get("/sources", response_class=HTMLResponse)
def sources_page(request: Request, svc: Svc) -> HTMLResponse:
    return _page(request, svc)


@router.post("/sources/sync", response_class=HTMLResponse)
def sync_source(
    request: Request, svc: Svc, url: Annotated[str, Form(max_length=500)]
) -> HTMLResponse:
    from weakties.workspace.sync import describe

    if url not in {row.url for row in svc.ws.sources()}:
        return _page(request, svc, f"{url} is not a configured source", failed=True)
    try:
        report = svc.write(lambda ws: ws.sync(url))
    except WeaktiesError as exc:
        return _page(request, svc, str(exc), failed=True)
    return _page(request, svc, f"{url}: {describe(report)}")
