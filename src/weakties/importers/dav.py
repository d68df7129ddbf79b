"""CardDAV and CalDAV collections read over WebDAV: discovery, etags, and the resources.

Discovery follows RFC 6764 and RFC 5397: the account URL's path (or ``/.well-known/carddav``
or ``/.well-known/caldav``), its DAV:current-user-principal, the principal's
addressbook-home-set (RFC 6352) or calendar-home-set (RFC 4791), then the address books or
calendars in it. A collection's change marker is its DAV:sync-token (RFC 6578) or, on servers
without one, its CalendarServer ctag: when it is the same as at the last sync the collection is
not listed again. Otherwise one ``PROPFIND Depth: 1`` lists every resource's etag (no
bodies); only new and changed resources are fetched, and the ones no longer listed are the
server's deletions. Parsing the vCards and events is the vCard and ICS importers' job.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urljoin, urlsplit
from xml.etree import ElementTree

from weakties.errors import ImportFailed, InvalidInput
from weakties.importers.accounts import Account, AccountKind

if TYPE_CHECKING:
    import httpx

DAV = "{DAV:}"
CARD = "{urn:ietf:params:xml:ns:carddav}"
CAL = "{urn:ietf:params:xml:ns:caldav}"
CS = "{http://calendarserver.org/ns/}"
TIMEOUT = 60.0
MAX_RESOURCE_BYTES = 16 * 1024**2

_PROPFIND = """<?xml version="1.0" encoding="utf-8"?>
<d:propfind xmlns:d="DAV:" xmlns:cs="http://calendarserver.org/ns/"
    xmlns:card="urn:ietf:params:xml:ns:carddav" xmlns:cal="urn:ietf:params:xml:ns:caldav">
  <d:prop>{props}</d:prop>
</d:propfind>"""
_COLLECTION_PROPS = (
    "<d:resourcetype/><d:displayname/><d:sync-token/><cs:getctag/>"
    "<d:current-user-principal/><card:addressbook-home-set/><cal:calendar-home-set/>"
)


@dataclass(frozen=True, slots=True)
class Collection:
    """An address book or calendar: its path on the server and its change marker."""

    href: str
    name: str
    marker: str  # sync-token or ctag; "" when the server gives neither (then always listed)


@dataclass(frozen=True, slots=True)
class Resource:
    """A vCard or an event in a collection, by path and etag."""

    href: str
    etag: str


class DavClient:
    """One account's DAV server; every failure becomes a one-line :class:`ImportFailed`."""

    def __init__(self, account: Account, password: str, *, timeout: float = TIMEOUT) -> None:
        try:
            import httpx
        except ImportError:
            raise InvalidInput(
                "CardDAV and CalDAV sync need httpx", hint="pip install 'weakties[sync]'"
            ) from None
        self.account = account
        self.where = account.url
        self.kind = account.kind
        self.base = account.http_url
        self.http = httpx.Client(
            auth=httpx.BasicAuth(account.user, password),
            timeout=timeout,
            follow_redirects=True,
            headers={"User-Agent": "weakties"},
        )
        self._httpx = httpx

    def close(self) -> None:
        self.http.close()

    # ---------------------------------------------------------------- requests
    def _request(self, method: str, href: str, **kw: Any) -> httpx.Response:
        url = urljoin(self.base, href)
        try:
            response = self.http.request(method, url, **kw)
        except self._httpx.HTTPError as exc:
            raise ImportFailed(
                f"{method} {urlsplit(url).path} failed: {exc}".splitlines()[0][:300],
                location=self.where,
                hint="run the same sync again: collections already saved stay saved",
            ) from None
        if response.status_code == 401:
            raise ImportFailed(
                f"the server refused the login for {self.account.user} (401)",
                location=self.where,
                hint="check the password; iCloud and Fastmail need an app password "
                "(docs/importers.md)",
            )
        if response.status_code >= 400:
            raise ImportFailed(
                f"{method} {urlsplit(url).path} answered {response.status_code}",
                location=self.where,
            )
        return response

    def _propfind(self, href: str, props: str, depth: str) -> list[tuple[str, dict[str, Any]]]:
        """(href, {property tag: element}) for each response with a 200 propstat."""
        response = self._request(
            "PROPFIND",
            href,
            content=_PROPFIND.format(props=props).encode(),
            headers={"Depth": depth, "Content-Type": "application/xml; charset=utf-8"},
        )
        try:
            root = ElementTree.fromstring(response.content)
        except ElementTree.ParseError as exc:
            raise ImportFailed(
                f"unreadable PROPFIND answer for {href}: {exc}", location=self.where
            ) from None
        out = []
        for item in root.iter(f"{DAV}response"):
            where = item.findtext(f"{DAV}href") or ""
            found: dict[str, Any] = {}
            for propstat in item.iter(f"{DAV}propstat"):
                status = propstat.findtext(f"{DAV}status") or ""
                if " 200 " not in status and not status.endswith(" 200"):
                    continue
                for prop in propstat.iter(f"{DAV}prop"):
                    for child in prop:
                        found[child.tag] = child
            out.append((urlsplit(unquote(where)).path or where, found))
        return out

    # --------------------------------------------------------------- discovery
    def _wanted(self, props: dict[str, Any]) -> bool:
        kind = props.get(f"{DAV}resourcetype")
        if kind is None:
            return False
        tag = f"{CARD}addressbook" if self.kind is AccountKind.CARDDAV else f"{CAL}calendar"
        return kind.find(tag) is not None

    def _collections_at(self, href: str) -> list[Collection]:
        found = []
        for where, props in self._propfind(href, _COLLECTION_PROPS, "1"):
            if self._wanted(props):
                token = props.get(f"{DAV}sync-token")
                ctag = props.get(f"{CS}getctag")
                marker = (token.text if token is not None else None) or (
                    ctag.text if ctag is not None else None
                )
                name = props.get(f"{DAV}displayname")
                shown = (name.text if name is not None else None) or where.rstrip("/").split("/")[
                    -1
                ]
                found.append(Collection(where, shown, (marker or "").strip()))
        return found

    def _href_in(self, props: dict[str, Any], tag: str) -> str | None:
        element = props.get(tag)
        if element is None:
            return None
        text = element.findtext(f"{DAV}href")
        return urlsplit(unquote(text.strip())).path if text and text.strip() else None

    def _well_known(self) -> str:
        """Where ``/.well-known/carddav`` (or ``caldav``) points (RFC 6764 §5); "/" if nowhere.

        The redirect is followed by hand: a PROPFIND must keep its method and body."""
        well_known = "carddav" if self.kind is AccountKind.CARDDAV else "caldav"
        try:
            response = self.http.request(
                "PROPFIND",
                urljoin(self.base, f"/.well-known/{well_known}"),
                headers={"Depth": "0"},
                follow_redirects=False,
            )
        except self._httpx.HTTPError:
            return "/"
        location = response.headers.get("location") if response.is_redirect else None
        if not location:
            return "/"
        return urlsplit(urljoin(self.base, location)).path or "/"

    def collections(self) -> list[Collection]:
        """The address books (CardDAV) or calendars (CalDAV) of the account."""
        start = self.account.path + "/" if self.account.path else self._well_known()
        found = self._collections_at(start)
        if found:
            return found
        listing = dict(self._propfind(start, _COLLECTION_PROPS, "0"))
        props = next(iter(listing.values()), {})
        principal = self._href_in(props, f"{DAV}current-user-principal")
        home_tag = (
            f"{CARD}addressbook-home-set"
            if self.kind is AccountKind.CARDDAV
            else f"{CAL}calendar-home-set"
        )
        home = self._href_in(props, home_tag)
        if home is None and principal is not None:
            principal_props = dict(self._propfind(principal, _COLLECTION_PROPS, "0"))
            home = self._href_in(next(iter(principal_props.values()), {}), home_tag)
        if home is not None:
            return self._collections_at(home)
        return []

    # ---------------------------------------------------------------- contents
    def resources(self, collection: Collection) -> list[Resource]:
        """Every resource of a collection with its etag (one PROPFIND, no bodies)."""
        out = []
        for where, props in self._propfind(collection.href, "<d:getetag/><d:resourcetype/>", "1"):
            if where.rstrip("/") == collection.href.rstrip("/"):
                continue
            kind = props.get(f"{DAV}resourcetype")
            if kind is not None and kind.find(f"{DAV}collection") is not None:
                continue
            etag = props.get(f"{DAV}getetag")
            out.append(Resource(where, (etag.text or "").strip() if etag is not None else ""))
        return out

    def fetch(self, resources: list[Resource]) -> Iterator[tuple[Resource, bytes | None]]:
        """The bodies of the given resources: None for one larger than MAX_RESOURCE_BYTES;
        a resource deleted meanwhile is left out."""
        for resource in resources:
            try:
                response = self._request("GET", resource.href)
            except ImportFailed as exc:
                if "answered 404" in str(exc):
                    continue
                raise
            body: bytes | None = response.content
            if body is not None and len(body) > MAX_RESOURCE_BYTES:
                body = None
            etag = response.headers.get("etag", resource.etag).strip()
            yield Resource(resource.href, etag or resource.etag), body
