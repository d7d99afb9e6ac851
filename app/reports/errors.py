"""Why a report PDF cannot be had right now (503, with when to try again)."""

from __future__ import annotations

from app.errors import Unavailable
from app.i18n import N_
from app.reports.render import REFUSE_SLOW_FOR


class RendersBusy(Unavailable):
    message = N_("Many reports are being made right now. Please try again in a minute.")
    retry_after = 30


class ReportInDemand(Unavailable):
    message = N_(
        "Several people are already waiting for this report, which is made once for all of them. "
        "Please try again in a moment."
    )
    retry_after = 10


class ReaderBusy(Unavailable):
    message = N_(
        "You are already waiting for several reports. Please try again when one of them has arrived."
    )
    retry_after = 10


class ReportTooSlow(Unavailable):
    message = N_(
        "This report took longer than %(seconds)s seconds to make, so it was stopped. Very long texts in "
        "it (notes, evidence links) make a report slow: shorten them, or try again in a few minutes."
    )
    retry_after = REFUSE_SLOW_FOR


class ServerStopping(Unavailable):
    message = N_("The server is restarting. Please try again in a moment.")
