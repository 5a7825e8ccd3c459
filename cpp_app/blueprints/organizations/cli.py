"""`flask --app wsgi import-organizations FILE`: the organisation registry from CSV, XLSX or the federal licence
registry's JSON, all rows or none."""
import json
from pathlib import Path

import click
from flask import current_app
from sqlalchemy import select

from ...extensions import db
from ...kernel.cli import CliError
from ...kernel.clock import local_today
from ...models import Municipality, Organization, OrganizationKind
from ...tabular import ImportFileError, read_rows
from .federal_registry import read_registry
from .importer import validate
from .registry import upsert_organizations

MAX_JSON_BYTES = 512 * 1024 * 1024  # a whole country's registry is about 1 GB; a region's, tens of megabytes


@click.command("import-organizations")
@click.argument("path", metavar="FILE", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_organizations_command(path: Path):
    """Import the organisation registry (CSV or XLSX; or JSON of the federal licence registry); imports nothing on
    any error."""
    municipalities = db.session.scalars(select(Municipality.name)).all()
    head_inns = set(
        db.session.scalars(
            select(Organization.inn).where(Organization.kind != OrganizationKind.BRANCH, Organization.inn.is_not(None))
        )
    )
    if path.suffix.lower() == ".json":
        records, errors, skipped = _read_federal(path, municipalities, head_inns)
    else:
        try:
            rows = read_rows(path, seconds=current_app.config["TABULAR_PARSE_SECONDS"])
        except ImportFileError as error:
            raise CliError(str(error)) from None
        (records, errors), skipped = validate(rows, municipalities, head_inns), {}
    if errors:
        for error in errors:
            click.echo(str(error), err=True)
        raise CliError(f"Импорт отменён, в реестре ничего не изменено. Ошибок: {len(errors)}.")
    result = upsert_organizations(records, by_legal_identity=path.suffix.lower() == ".json")
    db.session.commit()
    click.echo(f"Импортировано: создано {result.created}, обновлено {result.updated}, без изменений {result.unchanged}")
    for reason, count in sorted(skipped.items()):
        click.echo(f"Пропущено записей ({reason}): {count}")


def _read_federal(path: Path, municipalities: list[str], head_inns: set[str]):
    if path.stat().st_size > MAX_JSON_BYTES:
        raise CliError(f"Файл больше {MAX_JSON_BYTES // 1024 // 1024} МБ: выгрузите записи одного региона.")
    try:
        data = json.loads(path.read_bytes())
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CliError(f"Файл не читается как JSON: {error}") from None
    read = read_registry(data, municipalities, head_inns, local_today())
    return read.records, read.errors, read.skipped
