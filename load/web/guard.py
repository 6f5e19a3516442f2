"""What keeps the page up for everyone: quiet errors, bounded SQL, GET only, internal pages hidden.

- **Errors** answer at once with a short page (or JSON) and one log line ``METHOD PATH -> STATUS:
  message``.  Datasette's own handler prints a traceback with every local variable (``rich``)
  on the event loop for each failing request: 0.5-0.8 s each, and every other visitor waits.
  ``plugin.py`` replaces that handler with ``error_response``.
- **SQL** is bounded by ``SETTINGS``: each query stops after ``sql_time_limit_ms``, facets after
  ``facet_time_limit_ms``, no page returns more than ``max_returned_rows``, and at most
  ``num_sql_threads`` queries run at once.  Typed SQL (``?sql=``, the likeliest heavy query) is
  let in ``SQL_AT_ONCE`` requests at a time (``sql_gate``; the others wait their turn before
  taking a thread), so however many heavy queries arrive, the pages keep threads of their own.
- **Methods**: the page is read-only, so anything but GET and HEAD is 405 (``Allow: GET, HEAD``)
  before Datasette sees it (a POST to a question gave a 500).
- **Internal pages** (``/-/versions``, ``/-/threads``, ``/-/settings`` ...) say which software and
  settings run the site; they are 404 unless ``serve --debug-pages``.
"""

from __future__ import annotations

import asyncio
import logging
import re
from html import escape
from typing import Any
from urllib.parse import parse_qsl
from weakref import WeakKeyDictionary

from datasette.utils.asgi import Base400, Forbidden, NotFound, Response
from datasette.views.base import DatasetteError

LOG = logging.getLogger("boardplans.web")

# Datasette settings (``datasette --setting``): see the module docstring; the README lists them.
SETTINGS: dict[str, Any] = {
    "default_page_size": 50,
    "max_returned_rows": 1000,       # rows one page (or a question's answer) may hold
    "sql_time_limit_ms": 1000,       # any one query
    "facet_time_limit_ms": 500,      # each facet of a table page
    "facet_suggest_time_limit_ms": 100,
    "suggest_facets": False,         # the table pages have their facets; no guessing per request
    "num_sql_threads": 4,            # queries at once: SQL_AT_ONCE for typed SQL, the rest for the pages
    "allow_download": False,         # the whole database file is not a page
    "truncate_cells_html": 300,      # long progress notes are cut in tables (full on the action page)
}

# Datasette's pages about itself, hidden unless serve --debug-pages.
INTERNAL_PAGES = ("versions", "threads", "settings", "config", "plugins", "databases", "metadata", "actor",
                  "permissions", "messages", "allow-debug", "patterns", "auth-token")
INTERNAL_ROUTE = rf"^/-/(?:{'|'.join(INTERNAL_PAGES)})(?:\.json)?$"
ALLOWED_METHODS = ("GET", "HEAD")
SQL_AT_ONCE = 2  # typed-SQL requests running at once (fewer than num_sql_threads)


def _status_and_message(exception: BaseException) -> tuple[int, str]:
    if isinstance(exception, Base400 | NotFound | Forbidden):
        return exception.status, str(exception.args[0] if exception.args else "")
    if isinstance(exception, DatasetteError):  # raised for what a URL asks ("Cannot sort table by x"): 400
        message = str(exception.message)
        if exception.message_is_html:  # its first paragraph as text ("SQL query took too long. ...")
            message = " ".join(re.sub(r"<[^>]+>", "", message.split("</p>")[0]).split())
        return (400 if exception.status == 500 else exception.status), message
    return 500, f"{type(exception).__name__}: {exception}"


def error_response(datasette: Any, request: Any, exception: BaseException) -> Response:
    """A short error answer and one log line; no traceback is formatted or rendered."""
    status, message = _status_and_message(exception)
    path = request.path
    (LOG.error if status >= 500 else LOG.info)("%s %s -> %s: %s", request.method, path, status, message[:200])
    shown = message if status < 500 else "Something went wrong on the server; it has been logged."
    if path.split("?")[0].endswith(".json") or request.args.get("_shape"):
        return Response.json({"ok": False, "error": shown, "status": status}, status=status)
    home = datasette.urls.instance()
    return Response.html(
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Error {status}</title>'
        f'<link rel="stylesheet" href="{datasette.urls.static("app.css")}"></head><body><section class="content">'
        f"<h1>Error {status}</h1><p>{escape(shown)}</p><p><a href=\"{home}\">Back to the home page</a></p>"
        "</section></body></html>", status=status)


def not_found(datasette: Any, request: Any) -> Response:
    """A route that answers as an unknown page (the internal pages when they are off)."""
    return error_response(datasette, request, NotFound("Page not found"))


def methods_guard(app: Any) -> Any:
    """ASGI middleware: 405 for anything but GET and HEAD, before the request reaches Datasette."""

    async def guarded(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] not in ALLOWED_METHODS:
            LOG.info("%s %s -> 405", scope["method"], scope.get("path"))
            await send({"type": "http.response.start", "status": 405,
                        "headers": [(b"allow", b", ".join(m.encode() for m in ALLOWED_METHODS)),
                                    (b"content-type", b"text/plain; charset=utf-8")]})
            await send({"type": "http.response.body", "body": b"405 Method Not Allowed: this site is read-only.\n"})
            return
        await app(scope, receive, send)

    return guarded


def sql_gate(app: Any, at_once: int = SQL_AT_ONCE) -> Any:
    """ASGI middleware: requests carrying typed SQL (``?sql=``) run ``at_once`` at a time."""
    gates: WeakKeyDictionary[Any, asyncio.Semaphore] = WeakKeyDictionary()  # one per event loop

    async def gated(scope: dict[str, Any], receive: Any, send: Any) -> None:
        query = scope.get("query_string", b"") if scope["type"] == "http" else b""
        if not any(k == "sql" for k, _ in parse_qsl(query.decode("latin-1"), keep_blank_values=True)):
            await app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        gate = gates.get(loop) or gates.setdefault(loop, asyncio.Semaphore(at_once))
        async with gate:
            await app(scope, receive, send)

    return gated
