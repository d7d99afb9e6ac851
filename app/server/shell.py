"""The shell every response passes through: security headers, the CSRF cookie and the first guess at
the locale (the signed-in user's setting refines it later)."""

from __future__ import annotations

from http.cookies import SimpleCookie

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import i18n
from app.auth import csrf

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}

# What a signed-in person sees (pages, fragments, PDFs, exports) is never kept by the browser: after
# sign-out, Back must not show it again. Set here, where the request's user is known, over any route's.
NO_STORE = "no-store"


class ShellMiddleware:
    def __init__(self, app: ASGIApp, *, https: bool) -> None:
        self.app = app
        self.https = https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        token = request.cookies.get(csrf.COOKIE)
        new_token = None if token else csrf.new_token()
        state = scope.setdefault("state", {})
        state["csrf_token"] = token or new_token
        state["locale"] = i18n.negotiate(
            request.cookies.get(i18n.LANGUAGE_COOKIE),
            accept_language=request.headers.get("Accept-Language", ""),
        )
        state["user"] = None
        i18n.current_locale.set(state["locale"])

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                if self.https:
                    headers.setdefault("Strict-Transport-Security", "max-age=31536000")
                if state.get("user") is not None:
                    headers["Cache-Control"] = NO_STORE
                if new_token:
                    headers.append("Set-Cookie", self._csrf_cookie(new_token))
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _csrf_cookie(self, token: str) -> str:
        cookie: SimpleCookie = SimpleCookie()
        cookie[csrf.COOKIE] = token
        morsel = cookie[csrf.COOKIE]
        morsel["path"] = "/"
        morsel["samesite"] = "Lax"
        morsel["httponly"] = True
        morsel["secure"] = self.https
        return morsel.OutputString()
