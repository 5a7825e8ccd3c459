"""self-assessments: a teacher's answers to a digital-readiness instrument (subject: teacher)

Revision ID: b5c1e7a93d20
Revises: b5e2d9a4c713
Create Date: 2026-12-03 17:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b5c1e7a93d20'
down_revision = 'b5e2d9a4c713'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'self_assessments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('methodology_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('answers', sa.JSON(), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('submitted_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['methodology_id'], ['methodology_versions.id'],
                                name=op.f('fk_self_assessments_methodology_id_methodology_versions')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE',
                                name=op.f('fk_self_assessments_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_self_assessments')),
    )
    with op.batch_alter_table('self_assessments', schema=None) as batch_op:
        batch_op.create_index('ix_self_assessments_user_status', ['user_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_self_assessments_methodology_id'), ['methodology_id'], unique=False)


def downgrade():
    with op.batch_alter_table('self_assessments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_self_assessments_methodology_id'))
        batch_op.drop_index('ix_self_assessments_user_status')
    op.drop_table('self_assessments')
