"""A teacher's digital-readiness self-assessment (the answers to one version of a `subject: teacher` methodology),
its results as the research view counts them, the individual educational route (ИОМ) built from it, and the
assessment campaigns the institute runs."""
import enum
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._common import utcnow
from .diagnostic import MethodologyVersion


class SelfAssessmentStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class SelfAssessment(db.Model):
    __tablename__ = "self_assessments"
    __table_args__ = (
        Index("ix_self_assessments_user_status", "user_id", "status"),
        Index("ix_self_assessments_status_organization", "status", "organization_id"),
        # Everything the research view reads of an assessment but its answers: its queries scan this, not the rows.
        Index("ix_self_assessments_research", "status", "methodology_id", "organization_id", "user_id", "id",
              "campaign_id", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    methodology_id: Mapped[int] = mapped_column(ForeignKey("methodology_versions.id"), index=True)
    # The campaign the assessment answers, if any: outside a campaign a teacher may assess themselves any time.
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("assessment_campaigns.id", ondelete="SET NULL"),
                                                    index=True)
    # The teacher's organisation when they submitted: the research view groups by where the answers came from.
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(20), default=SelfAssessmentStatus.DRAFT.value)
    # Item code → score 0..5; a whole new dict on every change (a JSON column does not track mutations).
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]

    methodology: Mapped[MethodologyVersion] = relationship()

    @property
    def submitted(self) -> bool:
        return self.status == SelfAssessmentStatus.SUBMITTED


class SelfAssessmentArea(db.Model):
    """An area's result of a submitted assessment, written once on submit so distributions are counted in SQL."""

    __tablename__ = "self_assessment_areas"
    __table_args__ = (Index("ix_self_assessment_areas_area_level", "area_code", "level_rank"),)

    assessment_id: Mapped[int] = mapped_column(ForeignKey("self_assessments.id", ondelete="CASCADE"),
                                               primary_key=True)
    area_code: Mapped[str] = mapped_column(String(50), primary_key=True)
    level_rank: Mapped[int]  # 0 = the instrument's lowest level
    mean: Mapped[float] = mapped_column(Numeric(4, 2))


class SelfAssessmentScore(db.Model):
    """An item's answer of a submitted assessment, one row each, for the per-item distributions."""

    __tablename__ = "self_assessment_scores"
    __table_args__ = (Index("ix_self_assessment_scores_item_score", "item_code", "score"),)

    assessment_id: Mapped[int] = mapped_column(ForeignKey("self_assessments.id", ondelete="CASCADE"),
                                               primary_key=True)
    item_code: Mapped[str] = mapped_column(String(50), primary_key=True)
    score: Mapped[int]


class LearningRoute(db.Model):
    """A teacher's individual educational route (ИОМ), built from one submitted self-assessment."""

    __tablename__ = "learning_routes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("self_assessments.id", ondelete="CASCADE"), unique=True)
    period_start: Mapped[date]
    period_end: Mapped[date]
    # Off by default: only the teacher decides whether the school's admin may read the route.
    shared_with_school: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    assessment: Mapped[SelfAssessment] = relationship()
    areas: Mapped[list["LearningRouteArea"]] = relationship(
        back_populates="route", cascade="all, delete-orphan", order_by="LearningRouteArea.position")
    items: Mapped[list["LearningRouteItem"]] = relationship(
        back_populates="route", cascade="all, delete-orphan",
        order_by="(LearningRouteItem.due_on, LearningRouteItem.id)")


class LearningRouteArea(db.Model):
    """A growth area in the route: the level now, the level aimed at and the teacher's own goal."""

    __tablename__ = "learning_route_areas"

    route_id: Mapped[int] = mapped_column(ForeignKey("learning_routes.id", ondelete="CASCADE"), primary_key=True)
    area_code: Mapped[str] = mapped_column(String(50), primary_key=True)
    position: Mapped[int] = mapped_column(default=0)
    current_level: Mapped[int]
    target_level: Mapped[int]
    goal: Mapped[str] = mapped_column(Text, default="")

    route: Mapped[LearningRoute] = relationship(back_populates="areas")


class RouteItemKind(enum.StrEnum):
    COURSE = "course"
    PLATFORM = "platform"
    SELF_STUDY = "self_study"


class LearningRouteItem(db.Model):
    __tablename__ = "learning_route_items"
    __table_args__ = (Index("ix_learning_route_items_course", "course_id", "route_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    route_id: Mapped[int] = mapped_column(ForeignKey("learning_routes.id", ondelete="CASCADE"), index=True)
    area_code: Mapped[str] = mapped_column(String(50))
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(500))
    due_on: Mapped[date]
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id", ondelete="SET NULL"))
    platform_code: Mapped[str | None] = mapped_column(String(50))
    step: Mapped[str | None] = mapped_column(String(20))
    done_at: Mapped[datetime | None]
    # True when the item closed itself (its course completed, its platform account confirmed-active).
    done_automatically: Mapped[bool] = mapped_column(default=False)

    route: Mapped[LearningRoute] = relationship(back_populates="items")


class AssessmentCampaign(db.Model):
    """A period in which the teachers of the region (or of chosen municipalities) are asked to assess themselves."""

    __tablename__ = "assessment_campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    methodology_id: Mapped[int] = mapped_column(ForeignKey("methodology_versions.id"))
    starts_on: Mapped[date]
    ends_on: Mapped[date] = mapped_column(index=True)
    # Empty municipalities with whole_region False cannot be saved; whole_region ignores the list.
    whole_region: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]

    methodology: Mapped[MethodologyVersion] = relationship()
    municipalities: Mapped[list["CampaignMunicipality"]] = relationship(cascade="all, delete-orphan")


class CampaignMunicipality(db.Model):
    __tablename__ = "campaign_municipalities"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("assessment_campaigns.id", ondelete="CASCADE"),
                                             primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id", ondelete="CASCADE"),
                                                 primary_key=True)


class CampaignMailing(db.Model):
    """One letter of a campaign to one teacher: the start letter and the reminder are each sent once."""

    __tablename__ = "campaign_mailings"
    __table_args__ = (UniqueConstraint("campaign_id", "user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("assessment_campaigns.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # "start" | "reminder"
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
