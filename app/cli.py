"""The `hoshin` command: serve, database, demo data, users, export, import, backup, configuration check."""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
from datetime import datetime
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Annotated

import typer
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from app import migrate
from app.config import ConfigurationError, Settings, get_settings, resolve_secret_key
from app.db import make_engine, make_session_factory, session_scope
from app.kit.datafile.reading import Problem
from app.maturity.schema import MaturityModel
from app.monitoring import MULTIPROCESS_ENV

if TYPE_CHECKING:
    from app.signals.scheduler import Scheduler
    from app.signals.sync import Context as SyncContext

cli = typer.Typer(
    help="Hoshin: MLOps maturity assessments and roadmaps.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_cli = typer.Typer(help="Database schema migrations.", no_args_is_help=True)
user_cli = typer.Typer(help="User accounts.", no_args_is_help=True)
cli.add_typer(db_cli, name="db")
token_cli = typer.Typer(help="Personal API tokens for /api/v1.", no_args_is_help=True)
cli.add_typer(user_cli, name="user")
model_cli = typer.Typer(help="Maturity models: validate, import, list.", no_args_is_help=True)
cli.add_typer(model_cli, name="model")
cli.add_typer(token_cli, name="token")


def fail(message: str) -> typer.Exit:
    """Print a one-line error to stderr and return the exit to raise."""
    typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)
    return typer.Exit(code=1)


@cli.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to bind (default HOSHIN_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default HOSHIN_PORT).")] = None,
    reload: Annotated[bool, typer.Option(help="Restart on code changes (development).")] = False,
    workers: Annotated[int, typer.Option(min=1, max=16, help="Worker processes (one per core).")] = 1,
) -> None:
    """Serve the web application with uvicorn."""
    import uvicorn

    settings = get_settings()
    try:
        resolve_secret_key(settings)
    except ConfigurationError as exc:
        raise fail(str(exc)) from None
    bind_host, bind_port = host or settings.host, port or settings.port
    typer.echo(f"Hoshin is serving on http://{bind_host}:{bind_port}")
    _print_demo_sign_in(settings.var_dir)
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, _stopped)
    if workers > 1 and not reload:
        _share_metrics(settings.var_dir)
    scheduler = _periodic_syncs(settings)
    try:
        uvicorn.run(
            "app.asgi:app",
            host=bind_host,
            port=bind_port,
            reload=reload,
            workers=None if reload else workers,
            proxy_headers=False,
        )
    finally:
        if scheduler is not None:
            scheduler.stop()


def _share_metrics(var_dir: Path) -> None:
    """Several workers keep their /metrics counters in files they all read (prometheus-client's
    multiprocess mode), emptied at each start: the last run's counts are not this run's. Set before the
    workers start, which read it when they first import prometheus-client."""
    if os.environ.get(MULTIPROCESS_ENV):  # the operator chose the folder and keeps it
        return
    folder = var_dir / "metrics"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    os.environ[MULTIPROCESS_ENV] = str(folder)


def _sync_context(settings: Settings, engine: Engine, *, foreground: bool) -> SyncContext:
    """How this command syncs: the installation's rules, and what else a good sync changes.
    `foreground`: someone waits for these syncs (hoshin sync, hoshin demo), so they run in this process;
    periodic syncs (the server's, a worker's) run in the background sync process."""
    from app.server import write_gate
    from app.signals import sync as runs
    from app.sync_followers import FOLLOWERS

    return runs.context_for(
        settings,
        engine,
        secret_key=resolve_secret_key(settings),
        followers=FOLLOWERS,
        gate=write_gate.for_engine(engine),
        foreground=foreground,
    )


def _periodic_syncs(settings: Settings) -> Scheduler | None:
    """On SQLite the server itself syncs sources every interval (on PostgreSQL `hoshin worker` does)."""
    if not settings.is_sqlite or settings.sync_interval_minutes == 0:
        return None
    from datetime import timedelta

    from app.signals.scheduler import Scheduler

    context = _sync_context(settings, make_engine(settings.database_url), foreground=False)
    scheduler = Scheduler(context, interval=timedelta(minutes=settings.sync_interval_minutes))
    scheduler.start()
    return scheduler


def _stopped(signum: int, frame: FrameType | None) -> None:
    """Exit 0 on SIGTERM or Ctrl+C: uvicorn raises the signal again once it has shut down gracefully, and
    a stop that went well is no error to report (`make run` said "Error 143")."""
    raise SystemExit(0)


def _print_demo_sign_in(var_dir: Path) -> None:
    path = var_dir / "demo-sign-in.txt"
    if path.exists():
        typer.echo(path.read_text().strip())


@db_cli.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(help="Target revision.")] = "head") -> None:
    """Apply migrations up to REVISION and install the shipped maturity models."""
    settings = get_settings()
    try:
        migrate.upgrade(settings.database_url, revision)
        if revision == "head":
            from app.maturity import service as maturity_service

            engine = make_engine(settings.database_url)
            with session_scope(make_session_factory(engine)) as session:
                added = maturity_service.sync_builtin(session)
            engine.dispose()
            if added:
                typer.echo(f"installed maturity models: {', '.join(added)}")
    except SQLAlchemyError as exc:
        raise fail(f"cannot migrate the database: {_reason(exc)}") from None
    typer.echo("database is up to date")


@db_cli.command("downgrade")
def db_downgrade(revision: Annotated[str, typer.Argument(help="Target revision, e.g. -1 or base.")]) -> None:
    """Revert migrations down to REVISION."""
    try:
        migrate.downgrade(get_settings().database_url, revision)
    except SQLAlchemyError as exc:
        raise fail(f"cannot downgrade the database: {_reason(exc)}") from None
    typer.echo(f"database downgraded to {revision}")


@db_cli.command("current")
def db_current() -> None:
    """Print the database's migration revision and whether it is the latest."""
    settings = get_settings()
    try:
        current = migrate.current_revision(make_engine(settings.database_url))
    except SQLAlchemyError as exc:
        raise fail(f"cannot read the database: {_reason(exc)}") from None
    head = migrate.head_revision(settings.database_url)
    state = "up to date" if current == head else f"behind (latest is {head}); run `hoshin db upgrade`"
    typer.echo(f"{current or 'empty'}: {state}")


@cli.command()
def demo(
    force: Annotated[bool, typer.Option("--force", help="Add demo data even if some exists.")] = False,
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="Do nothing (successfully) if data exists.")
    ] = False,
    sign_in: Annotated[
        bool, typer.Option(help="Print the demo sign-in (`make run` leaves that to `hoshin serve`).")
    ] = True,
) -> None:
    """Load the demo organisation: three teams, two quarters of history, drafts in progress."""
    from app import demo as demo_data

    settings = get_settings()
    engine = make_engine(settings.database_url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            if demo_data.has_data(session) and not force:
                if if_empty:
                    typer.echo("demo data: the database already has data; leaving it as it is")
                    return
                raise fail("the database already has data; use --force to add the demo anyway")
            credentials = demo_data.load(session, organisation_name=settings.organisation_name)
            source_id = _demo_repository(session, settings)
    except SQLAlchemyError as exc:
        raise fail(f"cannot load demo data: {_reason(exc)}") from None
    if source_id is not None:
        _sync_demo_source(settings, engine, source_id)
    path = settings.var_dir / "demo-sign-in.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(credentials + "\n")
    os.chmod(path, 0o600)
    typer.echo("demo data loaded")
    if sign_in:
        typer.echo(credentials)


def _demo_repository(session: Session, settings: Settings) -> int | None:
    """Build the demo Git repository under the allowed root and connect it; None (and a line) if it cannot."""
    from app.kit.time import utcnow
    from app.signals import demo as signals_demo

    if settings.git_allowed_root is None:
        return None
    path = signals_demo.repository_path(settings.git_allowed_root)
    try:
        signals_demo.build_repository(path, now=utcnow())
    except (OSError, subprocess.CalledProcessError) as exc:
        typer.echo(f"demo repository skipped: cannot build it at {path} ({exc})")
        return None
    source = signals_demo.connect(session, path=path)
    return source.id if source is not None else None


DEMO_WEEKS = 12


def _same(moment: datetime) -> datetime:
    return moment


def _sync_demo_source(settings: Settings, engine: Engine, source_id: int) -> None:
    """Sync the demo repository as it stood each week of the last 12 (so the delivery trends have a
    history of real measurements), then as it is now, so its signals show on the first visit."""
    import dataclasses
    import functools

    from app.kit.time import utcnow
    from app.signals import demo as signals_demo
    from app.signals import sync as runs

    context = _sync_context(settings, engine, foreground=True)
    if settings.git_allowed_root is not None:
        path = signals_demo.repository_path(settings.git_allowed_root)
        replayed = 0
        # the past syncs change nothing else (no followers): the evidence follows the sync of today
        for moment in signals_demo.replay(path, now=utcnow(), weeks=DEMO_WEEKS):
            then = dataclasses.replace(context, clock=functools.partial(_same, moment), followers=())
            replayed += runs.sync_source(then, source_id=source_id).status == "ok"
        typer.echo(f"demo repository: {replayed} weekly syncs of its past replayed")
    typer.echo("demo repository: " + runs.describe(runs.sync_source(context, source_id=source_id)).strip())


@user_cli.command("create")
def user_create(
    email: Annotated[str, typer.Option(help="Sign-in email.")],
    name: Annotated[str, typer.Option(help="Display name.")],
    role: Annotated[str, typer.Option(help="admin, manager, member or viewer.")] = "member",
    password: Annotated[
        str | None,
        typer.Option(help="Password (≥ 12 characters); prompted when omitted.", envvar="HOSHIN_NEW_PASSWORD"),
    ] = None,
) -> None:
    """Create a local user account."""
    from app.users import service as users_service
    from app.users.service import UserInputError

    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    engine = make_engine(get_settings().database_url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            user = users_service.create(session, email=email, name=name, role=role, password=password)
            typer.echo(f"created {user.role} {user.email}")
    except UserInputError as exc:
        raise fail(str(exc)) from None
    except IntegrityError:
        raise fail(f"a user with email {email.strip().lower()} already exists") from None
    except SQLAlchemyError as exc:
        raise fail(f"cannot reach the database: {_reason(exc)}") from None


@user_cli.command("invite")
def user_invite(
    email: Annotated[str, typer.Option(help="Email of the person to invite.")],
    role: Annotated[str, typer.Option(help="admin, manager, member or viewer.")] = "member",
    base_url: Annotated[
        str | None,
        typer.Option(help="Address people open Hoshin at (default http://HOSHIN_HOST:HOSHIN_PORT)."),
    ] = None,
) -> None:
    """Print a one-time invitation link (valid 7 days); the person chooses their name and password."""
    from app.kit.time import utcnow
    from app.users import service as users_service
    from app.users.forms import FieldError

    settings = get_settings()
    engine = make_engine(settings.database_url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            issued = users_service.invite(session, email=email, role=role, actor=None, now=utcnow())
            expires = issued.link.expires_at
    except FieldError as exc:
        raise fail(f"{exc.field}: {exc.text()}") from None
    except SQLAlchemyError as exc:
        raise fail(f"cannot reach the database: {_reason(exc)}") from None
    base = (base_url or f"http://{settings.host}:{settings.port}").rstrip("/")
    typer.echo(f"invitation for {email.strip().lower()} ({role}), valid until {expires:%Y-%m-%d %H:%M} UTC:")
    typer.echo(f"{base}/invite/{issued.token}")


@token_cli.command("create")
def token_create(
    email: Annotated[str, typer.Option(help="Owner of the token.")],
    name: Annotated[str, typer.Option(help="What the token is for, e.g. the script using it.")],
) -> None:
    """Create a personal API token and print it (it is shown only this once)."""
    from app.auth import tokens
    from app.auth.tokens import TokenInputError
    from app.users import service as users_service

    engine = make_engine(get_settings().database_url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            owner = users_service.by_email(session, email=email)
            if owner is None or not owner.is_active:
                raise fail(f"no active user with email {email.strip().lower()}")
            secret = tokens.create(session, user=owner, name=name).secret
    except TokenInputError as exc:
        raise fail(f"name: {exc.text()}") from None
    except SQLAlchemyError as exc:
        raise fail(f"cannot reach the database: {_reason(exc)}") from None
    typer.echo(secret)


MODEL_GUIDE = "docs/maturity-models.md"
MODEL_FILE_HELP = f"A maturity model YAML file (format: {MODEL_GUIDE})."
LISTED_PROBLEMS = 100


def _load_model(path: Path) -> MaturityModel:
    from app.maturity.loader import ModelFileError, load_model_file

    try:
        return load_model_file(path)
    except ModelFileError as exc:
        _list_problems(exc.problems)
        count = len(exc.problems)
        raise fail(f"{path}: {count} problem(s); nothing was imported (the format: {MODEL_GUIDE})") from None


@model_cli.command("validate", epilog=f"How to write a model file: {MODEL_GUIDE}")
def model_validate(path: Annotated[Path, typer.Argument(help=MODEL_FILE_HELP)]) -> None:
    """Check a model file and list every problem by path and line."""
    model = _load_model(path)
    typer.echo(
        f"ok: {model.id} version {model.version}: {len(model.dimensions)} dimensions, "
        f"{len(model.capabilities())} capabilities, {len(model.questions())} questions"
    )


@model_cli.command("import", epilog=f"How to write a model file: {MODEL_GUIDE}")
def model_import(path: Annotated[Path, typer.Argument(help=MODEL_FILE_HELP)]) -> None:
    """Validate and install a model version (refused whole if anything is wrong)."""
    from app.maturity import service as maturity_service

    model = _load_model(path)
    engine = make_engine(get_settings().database_url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            _row, created = maturity_service.import_model(session, model=model, actor=None)
    except maturity_service.VersionClash as exc:
        raise fail(str(exc)) from None
    except SQLAlchemyError as exc:
        raise fail(f"cannot reach the database: {_reason(exc)}") from None
    state = "imported" if created else "already installed"
    typer.echo(f"{state}: {model.id} version {model.version}")


@model_cli.command("list")
def model_list() -> None:
    """List installed model versions."""
    from app.maturity import service as maturity_service

    engine = make_engine(get_settings().database_url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            rows = maturity_service.all_versions(session)
            for row in rows:
                typer.echo(
                    f"{row.slug}\t{row.version}\t{'shipped' if row.is_builtin else 'imported'}\t{row.name_en}"
                )
    except SQLAlchemyError as exc:
        raise fail(f"cannot reach the database: {_reason(exc)}") from None


@cli.command()
def report(
    assessment_id: Annotated[int, typer.Argument(help="The assessment's id (see /api/v1/assessments).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the PDF.")],
    lang: Annotated[str, typer.Option(help="en or ja.")] = "en",
) -> None:
    """Write an assessment report PDF (the same document leadership downloads in the browser)."""
    from app.assessments import service as assessments_service
    from app.errors import NotFound
    from app.reports import assessment as assessment_report
    from app.reports.render import html_to_pdf

    if lang not in ("en", "ja"):
        raise fail("--lang must be en or ja")
    settings = get_settings()
    engine = make_engine(settings.database_url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            assessment = assessments_service.get(session, assessment_id=assessment_id)
            document = assessment_report.html(
                session,
                assessment=assessment,
                team=assessment.team,
                locale=lang,
                organisation_name=settings.organisation_name,
                pdf=True,
            )
    except NotFound:
        raise fail(f"there is no assessment {assessment_id}") from None
    except SQLAlchemyError as exc:
        raise fail(f"cannot reach the database: {_reason(exc)}") from None
    try:
        out.write_bytes(html_to_pdf(document).data)
    except OSError as exc:
        raise fail(f"cannot write {out}: {exc.strerror}") from None
    typer.echo(f"wrote {out}")


EXPORT_GUIDE = "docs/organisation-export.md"


@cli.command("export", epilog=f"The format: {EXPORT_GUIDE}")
def export_organisation(
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write here instead of to stdout.")] = None,
) -> None:
    """Print the whole organisation as one JSON document (no passwords, tokens or credentials)."""
    from app.kit.time import utcnow
    from app.transfer import document
    from app.transfer.export import export

    engine = make_engine(get_settings().database_url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            text = document.dumps(export(session, now=utcnow()))
    except SQLAlchemyError as exc:
        raise fail(f"cannot read the database: {_reason(exc)}") from None
    if out is None:
        typer.echo(text, nl=False)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise fail(f"cannot write {out}: {exc.strerror}") from None
    typer.echo(f"wrote {out}", err=True)


@cli.command("import", epilog=f"The format: {EXPORT_GUIDE}")
def import_organisation(
    path: Annotated[Path, typer.Argument(help="An export made by `hoshin export`.")],
    merge: Annotated[
        bool, typer.Option("--merge", help="Add to an instance with data: people by e-mail, teams by slug.")
    ] = False,
    check_only: Annotated[bool, typer.Option("--check", help="Check and count, import nothing.")] = False,
) -> None:
    """Import an organisation export whole, or nothing if anything in it is wrong."""
    from app.transfer import importing

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise fail(f"cannot read {path}: {exc.strerror}") from None
    engine = make_engine(get_settings().database_url)
    try:
        doc = importing.read(data, path.name)
        with session_scope(make_session_factory(engine)) as session:
            outcome = importing.import_organisation(
                session, document=doc, merge=merge, importer=None, source=path.name, check_only=check_only
            )
    except importing.ExportFileError as exc:
        _list_problems(exc.problems)
        raise fail(
            f"{path}: {len(exc.problems)} problem(s); nothing was imported (the format: {EXPORT_GUIDE})"
        ) from None
    except importing.NotEmpty as exc:
        raise fail(f"{exc} (hoshin import --merge)") from None
    except SQLAlchemyError as exc:
        raise fail(f"nothing was imported: {_reason(exc)}") from None
    for line in importing.summary(outcome):
        typer.echo(line)


def _list_problems(problems: list[Problem]) -> None:
    for problem in problems[:LISTED_PROBLEMS]:
        typer.secho(f"problem: {problem}", err=True, fg=typer.colors.RED)
    if len(problems) > LISTED_PROBLEMS:
        typer.secho(f"... and {len(problems) - LISTED_PROBLEMS} more", err=True, fg=typer.colors.RED)


@cli.command()
def backup(path: Annotated[Path, typer.Argument(help="The new backup file (must not exist yet).")]) -> None:
    """Copy the SQLite database while the app runs (PostgreSQL: pg_dump, see docs/backups.md)."""
    from sqlalchemy import make_url

    from app.transfer.backup import BackupError, backup_sqlite

    settings = get_settings()
    if not settings.is_sqlite:
        raise fail("the database is PostgreSQL: back it up with pg_dump (see docs/backups.md)")
    database = Path(make_url(settings.database_url).database or "")
    try:
        size = backup_sqlite(database, path)
    except BackupError as exc:
        raise fail(str(exc)) from None
    typer.echo(f"backed up {database} to {path} ({size // 1024} KiB)")


@cli.command()
def check() -> None:
    """Print configuration problems (database, migrations, var/, fonts, secret key); exit 1 if any."""
    from app import checks

    problems = checks.run(get_settings())
    for problem in problems:
        typer.secho(f"problem: {problem}", err=True, fg=typer.colors.RED)
    if problems:
        raise typer.Exit(code=1)
    typer.echo("configuration ok")


@cli.command("sync")
def sync_sources(
    team: Annotated[str | None, typer.Option(help="Only this team's sources (its id or slug).")] = None,
    source: Annotated[int | None, typer.Option(help="Only this source (its id).")] = None,
) -> None:
    """Sync sources now and print a line per source; exit 1 if any sync failed."""
    from app.signals import sync as runs

    settings = get_settings()
    engine = make_engine(settings.database_url)
    try:
        context = _sync_context(settings, engine, foreground=True)
        ids = runs.chosen(context, team=team, source_id=source)
    except (ConfigurationError, LookupError) as exc:
        raise fail(str(exc)) from None
    except SQLAlchemyError as exc:
        raise fail(f"cannot read the database: {_reason(exc)}") from None
    if not ids:
        typer.echo("no sources to sync")
    failed = False
    for source_id in ids:
        outcome = runs.sync_source(context, source_id=source_id)
        failed |= outcome.status == "failed"
        typer.echo(runs.describe(outcome))
    engine.dispose()
    if failed:
        raise typer.Exit(code=1)


@cli.command()
def worker(
    concurrency: Annotated[int, typer.Option(min=1, max=16, help="Syncs this worker runs at once.")] = 1,
) -> None:
    """Run periodic syncs as jobs (PostgreSQL only): start any number, on any host."""
    settings = get_settings()
    if settings.is_sqlite:
        raise fail("workers are for PostgreSQL; on SQLite `hoshin serve` runs the periodic syncs itself")
    from app.signals import tasks

    try:
        context = _sync_context(settings, make_engine(settings.database_url), foreground=False)
    except ConfigurationError as exc:
        raise fail(str(exc)) from None
    every = settings.sync_interval_minutes
    logging.basicConfig(level=settings.log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    queue = tasks.make_queue(settings.database_url, context=context, interval_minutes=every)
    typer.echo(
        f"Hoshin worker: syncing sources every {every} minutes"
        if every
        else "Hoshin worker: no periodic syncs"
    )
    queue.run_worker(concurrency=concurrency, shutdown_graceful_timeout=30)


def _reason(exc: SQLAlchemyError) -> str:
    original = getattr(exc, "orig", None)
    return str(original or exc).strip().splitlines()[0]


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
