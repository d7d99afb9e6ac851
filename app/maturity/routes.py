"""Admin pages for maturity models: what is installed, and importing a new model or version."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Request, UploadFile
from starlette.responses import FileResponse, Response

from app.deps import AdminUser, SessionDep
from app.i18n import N_
from app.kit.datafile.reading import MAX_FILE_BYTES, Problem
from app.kit.http import for_tokens
from app.maturity import service
from app.maturity.loader import ModelFileError, load_model_bytes
from app.web import redirect, render

router = APIRouter(include_in_schema=False)
SCHEMA = Path(__file__).parent / "maturity-model.schema.json"
GUIDE = Path(__file__).parents[2] / "docs" / "maturity-models.md"
LISTED = 100  # problems shown on the page: a file with thousands of them needs the first ones fixed first


@router.get("/admin/models", name="admin_models")
def models_page(request: Request, session: SessionDep, admin: AdminUser) -> Response:
    """Installed model versions and the upload form."""
    return _page(request, session)


def _page(
    request: Request,
    session: SessionDep,
    *,
    problems: list[Problem] | None = None,
    clash: service.VersionClash | None = None,
    status: int = 200,
) -> Response:
    problems = problems or []
    context = {
        "rows": service.all_versions(session),
        "problems": problems,
        "listed": problems[:LISTED],
        "clash": clash,
    }
    return render(request, "admin/models.html", context, status_code=status)


@router.post("/admin/models", name="admin_models_import")
def import_model(
    request: Request, session: SessionDep, admin: AdminUser, file: Annotated[UploadFile, File()]
) -> Response:
    """Validate an uploaded YAML model and install it; a bad file is refused whole with every problem."""
    data = file.file.read(MAX_FILE_BYTES + 1)  # a def route: the spooled upload is read off the event loop
    try:
        model = load_model_bytes(data, file.filename or "upload.yaml")
        _row, created = service.import_model(session, model=model, actor=admin)
    except ModelFileError as exc:
        return _page(request, session, problems=exc.problems, status=422)
    except service.VersionClash as exc:
        return _page(request, session, clash=exc, status=409)
    flash = N_("Model imported.") if created else N_("That model version is already installed.")
    return redirect(str(request.url_for("admin_models")), request=request, flash=flash)


@router.get("/admin/models/guide.md", name="admin_model_guide")
@for_tokens
def model_guide(admin: AdminUser) -> FileResponse:
    """How to write a model file (docs/maturity-models.md), shown as plain text in the browser."""
    return FileResponse(GUIDE, media_type="text/plain; charset=utf-8")


@router.get("/admin/models/schema.json", name="admin_model_schema")
@for_tokens
def model_schema(admin: AdminUser) -> FileResponse:
    """The JSON Schema of model files, for editor completion while writing one."""
    return FileResponse(SCHEMA, media_type="application/schema+json", filename="maturity-model.schema.json")
