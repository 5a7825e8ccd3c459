"""The registry of personal data (privacy/registry.py) lists every table that points at a user, and is what the
export, the purge and the destruction record's labels are made of."""
from sqlalchemy import Column, ForeignKey, Integer, MetaData, Table

from cpp_app.blueprints.privacy.registry import DESTRUCTION_LABELS, PERSONAL_TABLES, Purge
from cpp_app.extensions import db
from cpp_app.models import User


def user_linked(table: Table) -> list[str]:
    """The columns of `table` that point at a user: a foreign key to users, or a `…user_id` kept without one."""
    return [
        column.name for column in table.columns
        if any(key.column.table.name == User.__tablename__ for key in column.foreign_keys)
        or column.name.endswith("user_id")
    ]


def unregistered(models) -> list[str]:
    registered = {table.model for table in PERSONAL_TABLES}
    return sorted(
        f"{model.__name__} ({', '.join(user_linked(model.__table__))})"
        for model in models if user_linked(model.__table__) and model not in registered
    )


def all_models():
    return [mapper.class_ for mapper in db.Model.registry.mappers]


def test_every_model_that_points_at_a_user_is_in_the_registry():
    assert unregistered(all_models()) == [], "add these to cpp_app/blueprints/privacy/registry.py"
    assert User in {table.model for table in PERSONAL_TABLES}


def test_a_new_table_pointing_at_a_user_would_be_found():
    class Stranger:  # a model nobody registered, as the check sees one
        __table__ = Table("strangers", MetaData(), Column("id", Integer, primary_key=True),
                          Column("owner_id", ForeignKey(User.__table__.c.id)))

    class Orphan:  # the same, keeping a user's id without a foreign key
        __table__ = Table("orphans", MetaData(), Column("id", Integer, primary_key=True),
                          Column("subject_user_id", Integer))

    assert unregistered([Stranger, Orphan, User]) == ["Orphan (subject_user_id)", "Stranger (owner_id)"]


def test_each_table_says_what_the_purge_does_and_does_it():
    for table in PERSONAL_TABLES:
        assert (table.step is None) == (table.purge == Purge.KEPT), table.model.__name__
        assert table.label, table.model.__name__
    keys = [table.count_key for table in PERSONAL_TABLES if table.step]
    assert len(keys) == len(set(keys))
    assert set(DESTRUCTION_LABELS) == set(keys)


def test_the_export_reads_its_sections_from_the_registry():
    keys = [key for table in PERSONAL_TABLES for key in table.export]
    assert keys == ["user", "workplace", "consent_events", "platform_accounts", "courses", "learning_routes",
                    "self_assessments", "diagnostics", "programs",
                    "audit_events", "sessions", "login_codes", "privacy_requests"]
