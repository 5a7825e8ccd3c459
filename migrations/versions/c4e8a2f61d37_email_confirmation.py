"""e-mail confirmation: confirmed addresses are unique, unconfirmed accounts may share one

Revision ID: c4e8a2f61d37
Revises: 7b3d5e1f2a90
Create Date: 2026-12-03 12:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4e8a2f61d37'
down_revision = '7b3d5e1f2a90'
branch_labels = None
depends_on = None

CONFIRMED = sa.text('email_confirmed_at IS NOT NULL')


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_confirmed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('pending_email', sa.String(length=254), nullable=True))
        batch_op.drop_constraint('uq_users_email', type_='unique')
        batch_op.create_index(batch_op.f('ix_users_email'), ['email'], unique=False)
    # Accounts made before confirmation existed keep working: they count as confirmed since they were made.
    op.execute('UPDATE users SET email_confirmed_at = created_at')
    op.create_index('uq_users_confirmed_email', 'users', ['email'], unique=True,
                    sqlite_where=CONFIRMED, postgresql_where=CONFIRMED)


def downgrade():
    op.drop_index('uq_users_confirmed_email', table_name='users', sqlite_where=CONFIRMED, postgresql_where=CONFIRMED)
    # A single unique address again: unconfirmed accounts sharing one give it up.
    op.execute(
        "UPDATE users SET email = 'unconfirmed-' || id || '@invalid.example' WHERE email_confirmed_at IS NULL "
        "AND email IN (SELECT email FROM users GROUP BY email HAVING count(*) > 1)"
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_email'))
        batch_op.create_unique_constraint('uq_users_email', ['email'])
        batch_op.drop_column('pending_email')
        batch_op.drop_column('email_confirmed_at')
