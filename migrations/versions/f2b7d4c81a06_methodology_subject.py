"""methodology versions: the subject a methodology assesses (a school, or a teacher's self-assessment)

Revision ID: f2b7d4c81a06
Revises: a7f3c9e21b54
Create Date: 2026-12-03 17:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f2b7d4c81a06'
down_revision = 'a7f3c9e21b54'
branch_labels = None
depends_on = None


def upgrade():
    # Every version published so far is a school methodology.
    with op.batch_alter_table('methodology_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject', sa.String(length=20), nullable=False, server_default='school'))


def downgrade():
    with op.batch_alter_table('methodology_versions', schema=None) as batch_op:
        batch_op.drop_column('subject')
