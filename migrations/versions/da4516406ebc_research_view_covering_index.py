"""self-assessments: a narrow covering index for the research view's aggregates

The rows hold the answers (JSON, ~1 kB each): every research query joins submitted assessments, and reading them
from this index instead of the table costs a fraction of the table scan at 500,000 assessments.

Revision ID: da4516406ebc
Revises: 62756d54094a
Create Date: 2026-12-04 16:40:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'da4516406ebc'
down_revision = '62756d54094a'
branch_labels = None
depends_on = None

COLUMNS = ['status', 'methodology_id', 'organization_id', 'user_id', 'id', 'campaign_id', 'submitted_at']


def upgrade():
    op.create_index('ix_self_assessments_research', 'self_assessments', COLUMNS, unique=False)


def downgrade():
    op.drop_index('ix_self_assessments_research', table_name='self_assessments')
