"""The url_for memo: templates' `url_for` answers from memory once a URL has been built."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import URL
from starlette.requests import Request

from app.kit.lru import Lru


class UrlCache:
    """Absolute URLs of named routes, memoised by host, name and parameters: routes do not change once
    the app is made, and Starlette finds a named route by trying every route in turn. Why:
    docs/performance.md, "url_memo"."""

    def __init__(self, size: int = 20_000) -> None:
        self._urls: Lru[tuple[str, str, tuple[tuple[str, Any], ...]], str] = Lru(size)

    def url_for(self, request: Request, name: str, /, **params: Any) -> URL:
        """What `request.url_for(name, **params)` gives."""
        base = str(request.base_url)
        try:
            key = (base, name, tuple(sorted(params.items())))
            hash(key)
        except TypeError:  # a parameter that cannot be a key: no memo
            return request.url_for(name, **params)
        url = self._urls.get(key)
        if url is None:
            url = str(request.url_for(name, **params))
            self._urls.put(key, url)
        return URL(url)
