"""Templates (autoescaped, translated, fragment-aware) and the render helper every page uses."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from functools import cache
from typing import Any

import jinja2
from babel.dates import format_timedelta
from jinja2_fragments.fastapi import Jinja2Blocks
from markupsafe import Markup, escape
from starlette.datastructures import URL
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from app import i18n
from app.config import PROJECT_ROOT
from app.evidence import labels
from app.kit import htmx, limits
from app.kit.signing import sign, unsign
from app.kit.time import format_day, format_local, utcnow
from app.server.priority import GivingWayTemplate
from app.server.url_memo import UrlCache

FLASH_COOKIE = "hoshin_flash"


def make_environment() -> jinja2.Environment:
    """One Jinja environment: autoescape on for every template name, strict about missing values."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(PROJECT_ROOT / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.gettext, i18n.ngettext, newstyle=True, pgettext=i18n.pgettext, npgettext=i18n.npgettext
    )
    env.template_class = GivingWayTemplate  # pages give way to saves (app/server/priority.py)
    env.filters["localtime"] = _localtime_filter
    env.filters["localdate"] = _localdate_filter
    env.filters["join_list"] = _join_list_filter
    env.filters["colon"] = _colon_filter
    env.filters["brackets"] = _brackets_filter
    env.filters["signal_name"] = _signal_name_filter
    env.filters["signal_value"] = _signal_value_filter
    env.filters["ago"] = _ago_filter
    return env


def _signal_name_filter(key: str) -> str:
    """`{{ "git.ci.lints"|signal_name }}`: the catalogue's name of a signal in the page's language."""
    return labels.signal_name(key, i18n.current_locale.get())


def _signal_value_filter(reading: Any) -> str:
    """`{{ reading|signal_value }}` (anything with `value` and `unit`): "yes", "64%", "3.5 days"."""
    return labels.format_value(reading.value, reading.unit, i18n.current_locale.get())


def _ago_filter(moment: datetime | None) -> str:
    """How long ago, in the page's language: "2 hours ago" / "2 時間前"."""
    if moment is None:
        return ""
    return format_timedelta(moment - utcnow(), add_direction=True, locale=i18n.current_locale.get())


def _colon_filter(label: Any) -> Markup:
    """`{{ _("Owner")|colon }} Mika`: "Owner: Mika" / 「担当：Mika」."""
    return Markup(i18n.colon(escape(label)))  # noqa: S704 - the label is escaped


def _brackets_filter(aside: Any) -> Markup:
    """`{{ p }}{{ _("current")|brackets }}` or `{% filter brackets %}…{% endfilter %}`: " (…)" / "（…）"."""
    return Markup(i18n.brackets(escape(aside)))  # noqa: S704 - the aside is escaped


def _join_list_filter(items: Iterable[Any]) -> Markup:
    """A list inside a sentence in the page's language ("a, b" / "a、b"), each item escaped."""
    return Markup(i18n.join_list(escape(item) for item in items))  # noqa: S704 - every item is escaped


@jinja2.pass_context
def _localtime_filter(context: Any, moment: Any) -> str:
    return format_local(moment, tz=_user_tz(context), locale=i18n.current_locale.get())


@jinja2.pass_context
def _localdate_filter(context: Any, moment: Any) -> str:
    if isinstance(moment, date) and not isinstance(moment, datetime):  # a calendar day: no zone to apply
        return format_day(moment, locale=i18n.current_locale.get())
    return format_local(moment, tz=_user_tz(context), locale=i18n.current_locale.get(), with_time=False)


def _user_tz(context: Any) -> str | None:
    user = context.get("current_user")
    return user.timezone if user is not None else None


@cache
def templates() -> Jinja2Blocks:
    blocks = Jinja2Blocks(env=make_environment())
    blocks.env.globals["list_separator"] = lambda: i18n.join_list(["", ""])  # between items of a loop
    blocks.env.globals["full_stop"] = i18n.full_stop
    blocks.env.globals["url_for"] = _url_for  # in place of Starlette's, which finds the route every time
    blocks.env.globals["limits"] = limits  # forms' maxlength come from the limits the server enforces
    return blocks


@jinja2.pass_context
def _url_for(context: Any, name: str, /, **params: Any) -> URL:
    request: Request = context["request"]
    urls: UrlCache | None = request.app.state.urls
    return urls.url_for(request, name, **params) if urls is not None else request.url_for(name, **params)


def compile_all() -> int:
    """Compile every page template now (the served process does this before taking requests, so no
    first request of a page pays for it); returns how many there are."""
    env = templates().env
    names = env.list_templates(extensions=["html"])
    for name in names:
        env.get_template(name)
    return len(names)


def locale_of(request: Request) -> str:
    return getattr(request.state, "locale", i18n.DEFAULT_LOCALE)


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    block: str | None = None,
    status_code: int = 200,
) -> Response:
    """Render a page, or just one of its blocks for an htmx request that asks for a fragment."""
    i18n.current_locale.set(locale_of(request))
    flashes = _read_flashes(request)
    full = {**_shell_context(request), "flashes": flashes, **(context or {})}
    wants_block = block if block and htmx.is_htmx(request) and not htmx.is_boosted(request) else None
    response: Response = templates().TemplateResponse(
        request, name, full, status_code=status_code, block_name=wants_block
    )
    if flashes:
        response.delete_cookie(FLASH_COOKIE, path="/")
    return response


def _shell_context(request: Request) -> dict[str, Any]:
    return {
        "current_user": getattr(request.state, "user", None),
        "locale": locale_of(request),
        "csrf_token": getattr(request.state, "csrf_token", ""),
        "organisation_name": request.app.state.settings.organisation_name,
    }


def redirect(url: str, *, flash: str | None = None, kind: str = "success", request: Request) -> Response:
    """303 to url (HX-Redirect for htmx), carrying an untranslated flash message shown on the next page."""
    if htmx.is_htmx(request):
        response: Response = Response(status_code=204, headers={"HX-Redirect": url})
    else:
        response = RedirectResponse(url, status_code=303)
    if flash:
        secure = request.app.state.settings.https
        value = sign([[flash, kind]], request.app.state.secret_key)
        response.set_cookie(FLASH_COOKIE, value, httponly=True, samesite="lax", secure=secure, path="/")
    return response


def _read_flashes(request: Request) -> list[tuple[str, str]]:
    raw = request.cookies.get(FLASH_COOKIE)
    value = unsign(raw, request.app.state.secret_key) if raw else None
    if not isinstance(value, list):
        return []
    return [(i18n.gettext(str(msg)), str(kind)) for msg, kind in value if kind in _FLASH_KINDS]


_FLASH_KINDS = {"success", "info", "warning", "error"}
