"""The playbook's recommended team roles, and how a role slug is shown (custom roles are free text)."""

from __future__ import annotations

from app.i18n import N_, gettext
from app.kit import limits

RECOMMENDED: dict[str, str] = {
    "mlops_engineer": N_("MLOps engineer"),
    "data_engineer": N_("Data engineer"),
    "ml_engineer": N_("ML engineer"),
    "data_scientist": N_("Data scientist"),
    "product_owner": N_("Product owner"),
}
MAX_CUSTOM_LENGTH = limits.CUSTOM_ROLE


def label(role: str) -> str:
    """A role as people read it in the current language; custom roles are shown as typed."""
    msgid = RECOMMENDED.get(role)
    return gettext(msgid) if msgid else role


def clean_custom(text: str) -> str:
    """A custom role as stored: trimmed, inner whitespace collapsed."""
    return " ".join(text.split())[:MAX_CUSTOM_LENGTH]
