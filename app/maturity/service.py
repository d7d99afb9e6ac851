"""Stored maturity model versions: install the shipped ones, and read a version back as a model."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit import service as audit_service
from app.i18n import N_
from app.maturity.loader import builtin_models
from app.maturity.schema import MaturityModel
from app.models import MaturityModelVersion, User

_parsed: dict[str, MaturityModel] = {}  # content hash → model: versions never change once stored


def content_hash(content: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def store(session: Session, *, model: MaturityModel, builtin: bool = False) -> MaturityModelVersion:
    """Keep a model version; the same id and version must always have the same content."""
    content = model.model_dump(mode="json")
    row = MaturityModelVersion(
        slug=model.id,
        version=model.version,
        name_en=model.name.en,
        name_ja=model.name.ja,
        content=content,
        content_hash=content_hash(content),
        is_builtin=builtin,
    )
    session.add(row)
    session.flush()
    return row


def sync_builtin(session: Session) -> list[str]:
    """Install shipped model versions the database does not have yet; returns what was added."""
    existing = set(session.execute(select(MaturityModelVersion.slug, MaturityModelVersion.version)).all())
    added = []
    for model in builtin_models():
        if (model.id, model.version) not in existing:
            store(session, model=model, builtin=True)
            added.append(f"{model.id}@{model.version}")
    return added


def parsed(row: MaturityModelVersion) -> MaturityModel:
    """The validated model for a stored version (parsed once per process)."""
    model = _parsed.get(row.content_hash)
    if model is None:
        model = MaturityModel.model_validate(row.content)
        _parsed[row.content_hash] = model
    return model


def latest(session: Session, *, slug: str) -> MaturityModelVersion | None:
    rows = session.scalars(select(MaturityModelVersion).where(MaturityModelVersion.slug == slug)).all()
    return max(rows, key=lambda row: _version_key(row.version), default=None)


def all_versions(session: Session) -> list[MaturityModelVersion]:
    """Every stored version, by slug then version."""
    rows = session.scalars(select(MaturityModelVersion)).all()
    return sorted(rows, key=lambda row: (row.slug, _version_key(row.version)))


def version(session: Session, *, slug: str, version: str | None) -> MaturityModelVersion | None:
    """A stored version of a model, or its latest when version is None."""
    if version is None:
        return latest(session, slug=slug)
    return session.scalars(
        select(MaturityModelVersion).where(
            MaturityModelVersion.slug == slug, MaturityModelVersion.version == version
        )
    ).first()


def latest_all(session: Session) -> list[MaturityModelVersion]:
    """The newest version of every model, ordered by name."""
    rows = session.scalars(select(MaturityModelVersion)).all()
    newest: dict[str, MaturityModelVersion] = {}
    for row in rows:
        if row.slug not in newest or _version_key(row.version) > _version_key(newest[row.slug].version):
            newest[row.slug] = row
    return sorted(newest.values(), key=lambda row: row.name_en)


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


class VersionClash(ValueError):
    """The same model id and version already exist with different content."""

    message = N_(
        "%(model)s version %(version)s is already installed with different content: raise the version to "
        "import the change (assessments keep the version they started with)."
    )

    def __init__(self, model: str, version: int | str) -> None:
        self.params = {"model": model, "version": version}
        super().__init__(self.message % self.params)  # English, for the CLI


def import_model(
    session: Session, *, model: MaturityModel, actor: User | None
) -> tuple[MaturityModelVersion, bool]:
    """Install an admin's model version; returns (row, created). Changing content needs a new version."""
    existing = version(session, slug=model.id, version=model.version)
    digest = content_hash(model.model_dump(mode="json"))
    if existing is not None:
        if existing.content_hash != digest:
            raise VersionClash(model.id, model.version)
        return existing, False
    row = store(session, model=model)
    audit_service.record(
        session,
        actor=actor,
        action="model.import",
        object_type="maturity_model",
        object_id=f"{model.id}@{model.version}",
        after={"name": model.name.en},
    )
    return row, True
