"""Municipalities and the organisation registry."""
import enum

from sqlalchemy import Enum as SAEnum
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, event, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..domain.org_names import search_text
from ..extensions import db


class OrganizationKind(enum.StrEnum):
    SCHOOL = "school"
    BRANCH = "branch"
    COLLEGE = "college"
    PRESCHOOL = "preschool"
    ADDITIONAL = "additional"

    @property
    def label(self) -> str:
        return ORGANIZATION_KIND_LABELS[self]


ORGANIZATION_KIND_LABELS = {
    OrganizationKind.SCHOOL: "Школа",
    OrganizationKind.BRANCH: "Филиал",
    OrganizationKind.COLLEGE: "СПО",
    OrganizationKind.PRESCHOOL: "Дошкольная ОО",
    OrganizationKind.ADDITIONAL: "Доп. образование",
}


class Municipality(db.Model):
    __tablename__ = "municipalities"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    oktmo_prefix: Mapped[str | None] = mapped_column(String(11))

    organizations: Mapped[list["Organization"]] = relationship(back_populates="municipality")

    def __repr__(self):
        return f"<Municipality {self.name}>"


class Organization(db.Model):
    __tablename__ = "organizations"
    # INN + full name identify a row on import: a branch shares its head organisation's INN.
    __table_args__ = (
        UniqueConstraint("inn", "full_name", name="inn_full_name"),
        # Trigrams let PostgreSQL answer the workplace search's «LIKE '% word%'» without reading every row; SQLite
        # (development and tests) gets a plain index it does not use for these patterns.
        Index("ix_organizations_search_name_trgm", "search_name", postgresql_using="gin",
              postgresql_ops={"search_name": "gin_trgm_ops"}),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str] = mapped_column(String(500), index=True)
    short_name: Mapped[str] = mapped_column(String(250), index=True)
    kind: Mapped[OrganizationKind] = mapped_column(
        SAEnum(OrganizationKind, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
    )
    inn: Mapped[str | None] = mapped_column(String(12), index=True)
    ogrn: Mapped[str | None] = mapped_column(String(15))
    # A branch shares its head's INN; the federal licence registry tells branches apart by their own KPP.
    kpp: Mapped[str | None] = mapped_column(String(9))
    oktmo: Mapped[str | None] = mapped_column(String(11))
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    head_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    address: Mapped[str | None] = mapped_column(String(500))
    is_active: Mapped[bool] = mapped_column(default=True)
    # The names, municipality and INN as the workplace search reads them (domain.org_names.search_text).
    search_name: Mapped[str] = mapped_column(Text, default="", server_default="")

    municipality: Mapped[Municipality] = relationship(back_populates="organizations")
    head: Mapped["Organization | None"] = relationship(remote_side=[id], back_populates="branches")
    branches: Mapped[list["Organization"]] = relationship(back_populates="head")

    @property
    def label(self) -> str:
        """The unambiguous text shown in the workplace picker."""
        inn = f", ИНН {self.inn}" if self.inn else ""
        return f"{self.short_name} ({self.municipality.name}{inn})"

    def __repr__(self):
        return f"<Organization {self.short_name}>"


@event.listens_for(Organization, "before_insert")
@event.listens_for(Organization, "before_update")
def _keep_search_name(mapper, connection, organization: Organization) -> None:
    municipality = organization.municipality
    name = municipality.name if municipality is not None else connection.scalar(
        select(Municipality.name).where(Municipality.id == organization.municipality_id))
    organization.search_name = search_text(organization.short_name, organization.full_name, name, organization.inn)
