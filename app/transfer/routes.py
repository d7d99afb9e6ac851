"""Admin → Export and import: download the organisation as JSON, upload one to import (or merge)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from sqlalchemy.exc import IntegrityError
from starlette.responses import FileResponse, Response

from app.deps import AdminUser, SessionDep
from app.kit.downloads import attachment
from app.kit.http import for_tokens
from app.kit.time import utcnow
from app.transfer import document, importing
from app.transfer.export import export
from app.web import render

router = APIRouter(include_in_schema=False)
SCHEMA = Path(__file__).parent / document.SCHEMA_FILE
LISTED = 100  # problems shown on the page; the CLI lists as many


@router.get("/admin/transfer", name="admin_transfer")
def transfer_page(request: Request, admin: AdminUser) -> Response:
    """The export download and the import form."""
    return _page(request)


def _page(request: Request, status: int = 200, **context: Any) -> Response:
    problems = context.get("problems") or []
    full: dict[str, Any] = {
        "problems": problems,
        "listed": problems[:LISTED],
        "outcome": None,
        "refusal": None,
        "form": {},
    }
    full |= context
    return render(request, "admin/transfer.html", full, status_code=status)


@router.get("/admin/transfer/organisation.json", name="admin_export")
@for_tokens
def export_download(session: SessionDep, admin: AdminUser) -> Response:
    """The whole organisation as one JSON document (no passwords, tokens or credentials)."""
    now = utcnow()
    text = document.dumps(export(session, now=now))
    headers = {"Content-Disposition": attachment(importing.stamp(now))}
    return Response(text, media_type="application/json", headers=headers)


@router.get("/admin/transfer/schema.json", name="admin_export_schema")
@for_tokens
def export_schema(admin: AdminUser) -> FileResponse:
    """The JSON Schema of export documents."""
    return FileResponse(SCHEMA, media_type="application/schema+json", filename=document.SCHEMA_FILE)


@router.post("/admin/transfer/import", name="admin_import")
def import_upload(
    request: Request,
    session: SessionDep,
    admin: AdminUser,
    file: Annotated[UploadFile, File()],
    merge: Annotated[bool, Form()] = False,
    check_only: Annotated[bool, Form()] = False,
) -> Response:
    """Check an uploaded export and import it whole, or show every problem and import nothing."""
    data = file.file.read(importing.MAX_BYTES + 1)  # a def route: the upload is read off the event loop
    name = file.filename or "upload.json"
    form = {"merge": merge, "check_only": check_only}
    try:
        doc = importing.read(data, name)
        outcome = importing.import_organisation(
            session, document=doc, merge=merge, importer=admin.email, source=name, check_only=check_only
        )
    except importing.ExportFileError as exc:
        return _page(request, 422, problems=exc.problems, form=form)
    except importing.NotEmpty as exc:
        return _page(request, 409, refusal=exc, form=form)
    except IntegrityError:
        return _page(request, 409, refusal=importing.Clash(), form=form)
    return _page(request, outcome=outcome, form=form)
