"""program actions: «ответственный не назначен» as an explicit choice

Revision ID: a13f0c5e7d21
Revises: c4e8a2f61d37
Create Date: 2026-12-03 16:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a13f0c5e7d21'
down_revision = 'c4e8a2f61d37'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('program_actions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('responsible_unassigned', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('program_actions', schema=None) as batch_op:
        batch_op.drop_column('responsible_unassigned')
