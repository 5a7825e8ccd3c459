"""`flask recount-staff`: finds the organisations whose staff tallies differ from a count of the rows (after a
write that went around the session, such as a manual SQL fix) and counts them again."""
import click

from ...extensions import db
from .tallies import count_again, drift

ORGANIZATIONS_PER_TRANSACTION = 500  # each holds one advisory lock per organisation until its commit


@click.command("recount-staff")
def recount_staff_command():
    """Recount the staff tallies of every organisation whose stored figures differ from its rows."""
    differing = sorted({row[0] for rows in drift(db.session).values() for row in rows})
    db.session.rollback()
    for start in range(0, len(differing), ORGANIZATIONS_PER_TRANSACTION):
        count_again(db.session, set(differing[start:start + ORGANIZATIONS_PER_TRANSACTION]))
        db.session.commit()
    if differing:
        click.echo(f"Счётчики сотрудников пересчитаны в организациях: {len(differing)}.")
    else:
        click.echo("Счётчики сотрудников совпадают с данными.")
