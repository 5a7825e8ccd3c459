"""form stashes belong to a user: answers are stashed only for the user of a session that ended

Revision ID: 7b3d5e1f2a90
Revises: e98aca4273c4
Create Date: 2026-12-03 11:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7b3d5e1f2a90'
down_revision = 'e98aca4273c4'
branch_labels = None
depends_on = None


def upgrade():
    # A stash lives two days and the existing ones have no owner to give them back to.
    op.execute('DELETE FROM form_stashes')
    with op.batch_alter_table('form_stashes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('user_id', sa.Integer(), nullable=False))
        batch_op.create_index(batch_op.f('ix_form_stashes_user_id'), ['user_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_form_stashes_user_id_users'), 'users', ['user_id'], ['id'],
                                    ondelete='CASCADE')


def downgrade():
    with op.batch_alter_table('form_stashes', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_form_stashes_user_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_form_stashes_user_id'))
        batch_op.drop_column('user_id')
