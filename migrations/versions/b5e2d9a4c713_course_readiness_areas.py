"""courses: the teacher self-assessment areas a course develops (for individual routes)

Revision ID: b5e2d9a4c713
Revises: f2b7d4c81a06
Create Date: 2026-12-03 18:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b5e2d9a4c713'
down_revision = 'f2b7d4c81a06'
branch_labels = None
depends_on = None

# The seeded catalogue's areas (seeds/courses.yaml says the same); courses added by methodologists start untagged.
SEEDED_AREAS = {
    "Использование ФГИС «Моя школа» и Библиотеки ЦОК в образовательной деятельности": ["platforms", "content"],
    "Сферум и VK Мессенджер — коммуникация с обучающимися и родителями": ["platforms", "communication"],
    "Электронный журнал КИАСУО — ведение и аналитика успеваемости": ["platforms", "assessment"],
    "Цифровая образовательная среда школы — управленческий аспект": ["development"],
    "Искусственный интеллект в работе учителя": ["teaching", "development"],
    "Верифицированный цифровой контент на уроке — методика применения": ["content", "teaching"],
    "Информационная и медиабезопасность в образовательной организации": ["safety"],
    "Российское программное обеспечение в школе": ["teaching"],
}


def upgrade():
    with op.batch_alter_table('courses') as batch_op:
        batch_op.add_column(sa.Column('readiness_areas', sa.JSON(), server_default=sa.text("'[]'"), nullable=False))
    courses = sa.table('courses', sa.column('title', sa.String), sa.column('readiness_areas', sa.JSON))
    for title, areas in SEEDED_AREAS.items():
        op.execute(courses.update().where(courses.c.title == title).values(readiness_areas=areas))


def downgrade():
    with op.batch_alter_table('courses') as batch_op:
        batch_op.drop_column('readiness_areas')
