"""organisations: a stored normalised search text for the workplace search

Revision ID: a7f3c9e21b54
Revises: a13f0c5e7d21
Create Date: 2026-12-03 16:20:00

"""
from alembic import op
import sqlalchemy as sa

from cpp_app.domain.org_names import search_text


# revision identifiers, used by Alembic.
revision = 'a7f3c9e21b54'
down_revision = 'a13f0c5e7d21'
branch_labels = None
depends_on = None

BATCH = 2000


def upgrade():
    op.add_column('organizations', sa.Column('search_name', sa.Text(), server_default='', nullable=False))
    connection = op.get_bind()
    organizations = sa.table('organizations', sa.column('id', sa.Integer), sa.column('short_name', sa.String),
                             sa.column('full_name', sa.String), sa.column('inn', sa.String),
                             sa.column('municipality_id', sa.Integer), sa.column('search_name', sa.Text))
    municipalities = sa.table('municipalities', sa.column('id', sa.Integer), sa.column('name', sa.String))
    last_id = 0
    while True:
        rows = connection.execute(
            sa.select(organizations.c.id, organizations.c.short_name, organizations.c.full_name, organizations.c.inn,
                      municipalities.c.name)
            .join(municipalities, municipalities.c.id == organizations.c.municipality_id)
            .where(organizations.c.id > last_id).order_by(organizations.c.id).limit(BATCH)
        ).all()
        if not rows:
            break
        connection.execute(
            organizations.update().where(organizations.c.id == sa.bindparam('row_id')).values(search_name=sa.bindparam('text')),
            [{'row_id': row.id, 'text': search_text(row.short_name, row.full_name, row.name, row.inn)} for row in rows],
        )
        last_id = rows[-1].id
    if connection.dialect.name == 'postgresql':
        # A trusted extension since PostgreSQL 13: the database owner may create it.
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    op.create_index('ix_organizations_search_name_trgm', 'organizations', ['search_name'], postgresql_using='gin',
                    postgresql_ops={'search_name': 'gin_trgm_ops'})


def downgrade():
    op.drop_index('ix_organizations_search_name_trgm', table_name='organizations', postgresql_using='gin')
    # A plain ALTER TABLE (SQLite 3.35+ has DROP COLUMN): a batch copy of a table others reference fails on SQLite.
    op.drop_column('organizations', 'search_name')
