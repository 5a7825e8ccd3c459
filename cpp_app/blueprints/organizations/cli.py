"""`flask --app wsgi import-organizations FILE`: the organisation registry from CSV or XLSX, all rows or none."""
from pathlib import Path

import click
from flask import current_app
from sqlalchemy import select

from ...extensions import db
from ...kernel.cli import CliError
from ...models import Municipality, Organization, OrganizationKind
from ...tabular import ImportFileError, read_rows
from .importer import validate
from .registry import upsert_organizations


@click.command("import-organizations")
@click.argument("path", metavar="FILE", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_organizations_command(path: Path):
    """Import the organisation registry (CSV or XLSX); updates by INN + full name, imports nothing on any error."""
    try:
        rows = read_rows(path, seconds=current_app.config["TABULAR_PARSE_SECONDS"])
    except ImportFileError as error:
        raise CliError(str(error)) from None
    municipalities = db.session.scalars(select(Municipality.name)).all()
    head_inns = set(
        db.session.scalars(
            select(Organization.inn).where(Organization.kind != OrganizationKind.BRANCH, Organization.inn.is_not(None))
        )
    )
    records, errors = validate(rows, municipalities, head_inns)
    if errors:
        for error in errors:
            click.echo(str(error), err=True)
        raise CliError(f"Импорт отменён, в реестре ничего не изменено. Ошибок: {len(errors)}.")
    result = upsert_organizations(records)
    db.session.commit()
    click.echo(f"Импортировано: создано {result.created}, обновлено {result.updated}, без изменений {result.unchanged}")
