"""The one registry of the tables that hold personal data: per table, how the person's export reads it and what the
purge of a withdrawn person does with it, with the Russian label the operator reads in the record of that purge.

The export (services_export.py) writes its sections in this order; the purge (purge.py) runs the steps in this
order and counts each under `count_key` in the destruction record; the record's page labels the counts from here.
A table with a column that points at a user must be listed (tests/unit/test_privacy_registry.py fails otherwise),
even when its rows stay: then `purge` says so and a comment says why.
"""
import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from ...models import (
    AssessmentCampaign,
    AuditEvent,
    AuthSession,
    CampaignMailing,
    ConsentEvent,
    CourseRecord,
    DestructionRecord,
    DevelopmentProgram,
    Diagnostic,
    DiagnosticAnswer,
    DiagnosticEvent,
    FormStash,
    LearningRoute,
    LoginCode,
    LoginThrottle,
    MethodologyVersion,
    PlatformAccount,
    PlatformAccountEvent,
    PrivacyRequest,
    ProgramActionEvent,
    ProgramRevision,
    SelfAssessment,
    StaffRegisterEntry,
    User,
)
from . import erasure as erase
from . import export_sections as read

Reader = Callable[[User, read.Roles], object]
Step = Callable[[erase.Subject], int]


class Purge(enum.StrEnum):
    """What the purge does with the person's rows of a table."""

    DELETED = "удаляются"
    ANONYMISED = "обезличиваются"
    UNLINKED = "отвязываются от учётной записи"
    KEPT = "остаются"


@dataclass(frozen=True)
class PersonalTable:
    model: type
    label: str  # Russian: what the table holds about the person, as the operator reads it in a destruction record
    export: Mapping[str, Reader] = field(default_factory=dict)  # the export's sections read from it, by key
    purge: Purge = Purge.KEPT
    step: Step | None = None  # does what `purge` says, in the caller's transaction; returns the rows it changed
    key: str | None = None  # the count's key in destruction records when not the table's name (stored: never rename)

    @property
    def count_key(self) -> str:
        return self.key or self.model.__tablename__


PERSONAL_TABLES: tuple[PersonalTable, ...] = (
    PersonalTable(User, "профиль обезличен", {"user": read.profile, "workplace": read.workplace},
                  Purge.ANONYMISED, erase.anonymise_profile, key="user_profile"),
    # Evidence that processing was lawful, kept three years (see the policy): only the address and browser go.
    PersonalTable(ConsentEvent, "записи о согласии: удалены IP-адрес и браузер",
                  {"consent_events": read.consent_events},
                  Purge.ANONYMISED, erase.anonymise_consent_events, key="consent_events_anonymised"),
    # Exported as the history of each account (read.platform_accounts); deleted before the accounts.
    PersonalTable(PlatformAccountEvent, "история учётных записей на платформах",
                  purge=Purge.DELETED, step=erase.delete_platform_account_events),
    PersonalTable(PlatformAccount, "учётные записи на платформах", {"platform_accounts": read.platform_accounts},
                  Purge.DELETED, erase.delete_platform_accounts),
    # The scans stored on disk under the names in course_records (exported as each course's file: type, size).
    PersonalTable(CourseRecord, "файлы удостоверений", purge=Purge.DELETED, step=erase.delete_certificate_files,
                  key="certificate_files"),
    PersonalTable(CourseRecord, "записи о курсах", {"courses": read.courses},
                  Purge.DELETED, erase.delete_course_records),
    # The school's documents, which the person created or approved: they belong to the school and stay.
    # The routes built from the self-assessments, with their areas and items: deleted before the assessments.
    PersonalTable(LearningRoute, "индивидуальные образовательные маршруты", {"learning_routes": read.learning_routes},
                  Purge.DELETED, erase.delete_learning_routes),
    PersonalTable(SelfAssessment, "самооценки цифровой готовности", {"self_assessments": read.self_assessments},
                  Purge.DELETED, erase.delete_self_assessments),
    PersonalTable(Diagnostic, "самодиагностики ОО, созданные человеком", {"diagnostics": read.diagnostics}),
    PersonalTable(DevelopmentProgram, "программы развития ОО, созданные или утверждённые человеком",
                  {"programs": read.programs}),
    PersonalTable(AuditEvent, "записи журнала: удалены IP-адрес и личные сведения",
                  {"audit_events": read.audit_events},
                  Purge.ANONYMISED, erase.anonymise_audit_events, key="audit_events_anonymised"),
    PersonalTable(AuthSession, "сеансы входа", {"sessions": read.sessions}, Purge.DELETED, erase.delete_sessions),
    PersonalTable(LoginCode, "одноразовые коды входа", {"login_codes": read.login_codes},
                  Purge.DELETED, erase.delete_login_codes),
    # The requests themselves (kind, dates) are the evidence of how the operator answered; their texts go.
    PersonalTable(PrivacyRequest, "тексты обращений и ответов", {"privacy_requests": read.privacy_requests},
                  Purge.ANONYMISED, erase.blank_request_texts, key="privacy_request_texts"),
    # Half-filled forms kept for a moment across a redirect: not exported, deleted.
    PersonalTable(FormStash, "сохранённые формы", purge=Purge.DELETED, step=erase.delete_form_stashes),
    # Which campaign letters went to the person, so none goes twice: bookkeeping of the mail, not exported, deleted.
    PersonalTable(CampaignMailing, "отметки об отправленных письмах кампаний самооценки",
                  purge=Purge.DELETED, step=erase.delete_campaign_mailings),
    # Keyed by the person's address and IP addresses, not by a user id: not exported, deleted.
    PersonalTable(LoginThrottle, "счётчики попыток входа", purge=Purge.DELETED, step=erase.delete_throttles),
    # The school's HR record imported from КИАСУО, not data the person gave the service: the row stays with the
    # school, unlinked from the account.
    PersonalTable(StaffRegisterEntry, "связи со штатным реестром ОО (строки реестра остались у ОО)",
                  purge=Purge.UNLINKED, step=erase.unlink_staff_register, key="staff_register_links"),
    # Who did what in the school's documents, the methodology and the settings: the id stays, pointing at the
    # anonymised profile, so the history stays consistent. Not exported: the rows are the school's or the institute's.
    PersonalTable(DiagnosticAnswer, "ответы самодиагностик: кто изменил"),
    PersonalTable(DiagnosticEvent, "история самодиагностик: кто действовал"),
    PersonalTable(ProgramRevision, "утверждённые редакции программ: кто утвердил"),
    PersonalTable(ProgramActionEvent, "история мероприятий программ: кто действовал"),
    PersonalTable(MethodologyVersion, "версии методики: кто опубликовал"),
    PersonalTable(AssessmentCampaign, "кампании самооценки: кто открыл"),
    # The record of the destruction itself, by user id only.
    PersonalTable(DestructionRecord, "акты уничтожения данных"),
)

# The Russian labels of a destruction record's counts, for the operator's page of the record.
DESTRUCTION_LABELS: dict[str, str] = {table.count_key: table.label for table in PERSONAL_TABLES if table.step}
