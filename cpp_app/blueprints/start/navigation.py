"""The site's menu: at most seven top items per role, each the entry to an area whose other pages are its tabs.

Plain data for base.html. An item or tab belongs to the pages whose endpoint starts with one of its prefixes;
when several tabs match, the longest prefix wins («admin.courses_external» is «Внешние курсы», not «Курсы»).
"""
from dataclasses import dataclass

from ...models import Role


@dataclass(frozen=True)
class Entry:
    label: str
    endpoint: str
    prefixes: tuple[str, ...] = ()
    tabs: tuple["Entry", ...] = ()

    def match(self, endpoint: str) -> int:
        """The length of the longest prefix of this entry that `endpoint` starts with; 0 for none."""
        if endpoint == self.endpoint:
            return len(endpoint) + 1
        return max((len(prefix) for prefix in self.prefixes if endpoint.startswith(prefix)), default=0)


@dataclass(frozen=True)
class Link:
    label: str
    endpoint: str
    current: str | None = None  # aria-current: "page" on the linked page itself, "true" elsewhere in its area


@dataclass(frozen=True)
class Menu:
    items: tuple[Link, ...]
    area: str | None = None  # the label of the current area when it has tabs
    tabs: tuple[Link, ...] = ()
    cabinet: Link | None = None  # the own cabinet, for roles that have no top item for it


HOME = Entry("Главная", "main.index")
PRIVACY = Entry("Персональные данные", "privacy.policy", ("privacy.",))
CABINET_PREFIXES = ("cabinet.",)
MONITORING = Entry("Мониторинг", "monitoring.overview", ("monitoring.",), tabs=(
    Entry("Обзор по краю", "monitoring.overview"),
    Entry("Муниципалитеты", "monitoring.municipalities", ("monitoring.municipalit", "monitoring.export_")),
    Entry("Неактивные организации", "monitoring.inactive"),
    Entry("Динамика", "monitoring.trends"),
))
# The teachers' self-assessment as the institute runs and studies it: campaigns, then the research tables.
READINESS = Entry("Самооценка педагогов", "research.index", ("research.", "admin.campaign"), tabs=(
    Entry("Кампании", "admin.campaigns", ("admin.campaign",)),
    Entry("Отклик", "research.index", ("research.export_response",)),
    Entry("Уровни", "research.levels", ("research.export_area", "research.export_item")),
    Entry("Самооценка и платформы", "research.platforms", ("research.export_platform",)),
    Entry("Спрос на курсы", "research.courses", ("research.export_course",)),
    Entry("Набор данных", "research.codebook", ("research.export_codebook", "research.export_dataset")),
))
REVIEW = Entry("Проверка самодиагностик", "review.queue", ("review.",))
PROGRAMS = Entry("Программы развития", "programs.index", ("programs.",))
CATALOGUE = Entry("Справочники", "admin.methodologies",
                  ("admin.methodolog", "admin.measure", "admin.course", "admin.workplace"), tabs=(
    Entry("Методики", "admin.methodologies", ("admin.methodolog",)),
    Entry("Меры", "admin.measures", ("admin.measure",)),
    Entry("Курсы", "admin.courses", ("admin.course",)),
    Entry("Внешние курсы", "admin.courses_external", ("admin.courses_external",)),
    Entry("Места работы", "admin.workplaces", ("admin.workplace",)),
))
ADMINISTRATION = Entry("Администрирование", "admin.users",
                       ("admin.index", "admin.user", "admin.block", "admin.unblock", "admin.change_user_role",
                        "admin.privacy", "admin.job"), tabs=(
    Entry("Пользователи", "admin.users", ("admin.user", "admin.block", "admin.unblock", "admin.change_user_role")),
    Entry("Запросы ПДн", "admin.privacy", ("admin.privacy",)),
    Entry("Акты уничтожения данных", "admin.privacy_destructions", ("admin.privacy_destruction",)),
    Entry("Фоновые задачи", "admin.jobs", ("admin.job",)),
))
SCHOOL = Entry("Сотрудники", "school.staff", ("school.",), tabs=(
    Entry("Список сотрудников", "school.staff", ("school.staff", "school.member", "school.confirm", "school.detach")),
    Entry("Не зарегистрированы в ЦПП", "school.unregistered"),
    Entry("Загрузка реестра КИАСУО", "school.import_staff"),
    Entry("Цифровая готовность педагогов", "school.readiness", ("school.readiness",)),
))

MENUS: dict[Role | None, tuple[Entry, ...]] = {
    None: (HOME, PRIVACY),
    # A teacher's «Главная» is the cabinet itself; its sections are the cabinet's own tabs.
    Role.TEACHER: (Entry("Главная", "cabinet.overview", ("main.index", *CABINET_PREFIXES)), PRIVACY),
    Role.SCHOOL_ADMIN: (
        HOME, SCHOOL,
        Entry("Самодиагностика", "diagnostics.index", ("diagnostics.",)),
        Entry("Программа развития", "programs.index", ("programs.",)),
        Entry("Мой кабинет педагога", "cabinet.overview", CABINET_PREFIXES),
        PRIVACY,
    ),
    # The institute's staff find the policy in the footer of every page, as everyone does: one row of items.
    Role.METHODOLOGIST: (HOME, MONITORING, READINESS, REVIEW, PROGRAMS, CATALOGUE),
    Role.ADMIN: (HOME, MONITORING, READINESS, REVIEW, PROGRAMS, CATALOGUE, ADMINISTRATION),
}
OWN_CABINET = Entry("Мой кабинет", "cabinet.overview", CABINET_PREFIXES)


def _current(entry: Entry, endpoint: str) -> str | None:
    if endpoint == entry.endpoint:
        return "page"
    return "true" if entry.match(endpoint) else None


def _best(entries: tuple[Entry, ...], endpoint: str) -> Entry | None:
    best = max(entries, key=lambda entry: entry.match(endpoint), default=None)
    return best if best is not None and best.match(endpoint) else None


def build_menu(role: Role | None, endpoint: str | None) -> Menu:
    entries = MENUS[role]
    endpoint = endpoint or ""
    area = _best(entries, endpoint)
    items = tuple(Link(entry.label, entry.endpoint, _current(entry, endpoint) if entry is area else None)
                  for entry in entries)
    tabs: tuple[Link, ...] = ()
    if area is not None and area.tabs:
        tab = _best(area.tabs, endpoint)
        tabs = tuple(Link(entry.label, entry.endpoint, _current(entry, endpoint) if entry is tab else None)
                     for entry in area.tabs)
    cabinet = None
    if role in (Role.METHODOLOGIST, Role.ADMIN):
        cabinet = Link(OWN_CABINET.label, OWN_CABINET.endpoint, _current(OWN_CABINET, endpoint))
    return Menu(items, area.label if tabs else None, tabs, cabinet)
