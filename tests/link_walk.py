"""Walks the service by links only, as a person does, and lists the GET routes a role may open.

Used by the reachability test (every page of a role within four clicks of its start page) and by the browser
check that runs the HTML and accessibility checkers over every page the walk reaches.
"""
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from itertools import islice
from urllib.parse import urldefrag, urlsplit

from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from cpp_app.blueprints.programs.parts import PARTS
from cpp_app.extensions import db
from cpp_app.models import (
    AssessmentCampaign,
    BackgroundJob,
    ConsentDocument,
    Course,
    CourseRecord,
    DestructionRecord,
    DevelopmentProgram,
    Diagnostic,
    LearningRoute,
    LearningRouteItem,
    Measure,
    MethodologyVersion,
    Municipality,
    Organization,
    PrivacyRequest,
    ProgramAction,
    SelfAssessment,
    StaffRegisterEntry,
    User,
)

MAX_CLICKS = 4
# Query-string variants (pages, sorting, filters) of one route: a few are enough to find where they link.
URLS_PER_ENDPOINT = 4
CANDIDATES_PER_ARGUMENT = 25

# GET routes nobody reaches by a link in a page, and why.
NOT_LINKED = {
    "static": "style sheets, scripts and images",
    "main.healthz": "for nginx and monitoring",
    "auth.confirm_email": "opened from the confirmation mail",
    "auth.reset_password": "opened from the password-reset mail",
    "organizations.search": "JSON for the organisation suggestions script",
    "auth.logout": "the header's «Выйти» posts directly; the page answers an address typed by hand",
}
# Pages for signed-out visitors that still answer a signed-in one (a stale tab, a typed address).
SIGNED_OUT_PAGES = {"auth.login", "auth.register", "auth.forgot_password", "auth.login_code"}


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def links_of(html: str) -> list[str]:
    """Same-site paths (with query) the page's <a> elements point at."""
    parser = _Links()
    parser.feed(html)
    paths = []
    for href in parser.hrefs:
        href, _ = urldefrag(href)
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            continue
        paths.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return paths


@dataclass
class Walk:
    """Where a role got by clicking: each reached URL with its click depth and its route."""

    depth: dict[str, int] = field(default_factory=dict)
    endpoint: dict[str, tuple] = field(default_factory=dict)
    html: dict[str, str] = field(default_factory=dict)

    def reached_routes(self) -> set[tuple]:
        return set(self.endpoint.values())

    def pages(self) -> list[str]:
        """One reached HTML page per route (the nearest), for the checkers."""
        nearest: dict[tuple, str] = {}
        for url in sorted(self.html, key=lambda u: (self.depth[u], u)):
            nearest.setdefault(self.endpoint[url], url)
        return sorted(nearest.values())


def route_key(app, path: str) -> tuple | None:
    """(endpoint, format) of a path, or None when it is no GET route of the app."""
    adapter = app.url_map.bind("localhost")
    try:
        endpoint, values = adapter.match(urlsplit(path).path, method="GET")
    except HTTPException:  # not found, POST only, or a redirect to the canonical address
        return None
    return endpoint, values.get("fmt")


def walk(client, start: str = "/", max_clicks: int = MAX_CLICKS) -> Walk:
    """Breadth-first over links from `start`; redirects are followed within the same click."""
    app = client.application
    result = Walk()
    queue = deque([(start, 0)])
    per_endpoint: dict[tuple, int] = {}
    queued = {start}
    while queue:
        url, depth = queue.popleft()
        key = route_key(app, url)
        if key is None or key[0] in NOT_LINKED:
            continue
        response = client.get(url, follow_redirects=True)
        if "Refresh" in response.headers:  # «Документ готовится…»: a person waits for the refresh, which brings the file
            response = client.get(url, follow_redirects=True)
        final = response.request.path + (f"?{response.request.query_string.decode()}"
                                         if response.request.query_string else "")
        for reached in {url, final}:
            reached_key = route_key(app, reached)
            if response.status_code == 200 and reached_key is not None and reached not in result.depth:
                result.depth[reached] = depth
                result.endpoint[reached] = reached_key
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        result.html[final] = response.get_data(as_text=True)
        if depth == max_clicks:
            continue
        for link in links_of(result.html[final]):
            link_key = route_key(app, link)
            if link in queued or link_key is None:
                continue
            if per_endpoint.get(link_key, 0) >= URLS_PER_ENDPOINT:
                continue
            per_endpoint[link_key] = per_endpoint.get(link_key, 0) + 1
            queued.add(link)
            queue.append((link, depth + 1))
    return result


def _candidate_values(argument: str) -> list:
    """Ids of demo objects for a URL argument (a few of each, newest first)."""
    columns = {
        "version_id": MethodologyVersion.id, "version": ConsentDocument.version, "municipality_id": Municipality.id,
        "user_id": User.id, "program_id": DevelopmentProgram.id, "request_id": PrivacyRequest.id,
        "organization_id": Organization.id, "record_id": CourseRecord.id, "destruction_id": DestructionRecord.id,
        "measure_id": Measure.id, "course_id": Course.id, "diagnostic_id": Diagnostic.id,
        "entry_id": StaffRegisterEntry.id, "assessment_id": SelfAssessment.id,
        "route_id": LearningRoute.id, "item_id": LearningRouteItem.id,
        "campaign_id": AssessmentCampaign.id,
        "job_id": BackgroundJob.id,
    }
    if argument == "fmt":
        return ["xlsx", "csv"]
    if argument == "step":
        return [1]
    if argument == "slug":  # a development program's document parts
        return [part.slug for part in PARTS]
    column = columns[argument]
    return list(db.session.scalars(select(column).order_by(column.desc()).limit(CANDIDATES_PER_ARGUMENT)))


def _argument_sets(rule) -> list[dict]:
    arguments = sorted(rule.arguments)
    if arguments == ["action_id", "program_id"]:
        pairs = db.session.execute(
            select(ProgramAction.program_id, ProgramAction.id).order_by(ProgramAction.id.desc())
            .limit(CANDIDATES_PER_ARGUMENT)
        )
        return [{"program_id": program_id, "action_id": action_id} for program_id, action_id in pairs]
    if not arguments:
        return [{}]
    if len(arguments) == 1:
        return [{arguments[0]: value} for value in _candidate_values(arguments[0])]
    (first, second) = arguments
    return [{first: a, second: b} for a in _candidate_values(first) for b in _candidate_values(second)]


def role_routes(client, signed_in: bool = True) -> set[tuple]:
    """Every (endpoint, format) of a GET route that answers 200 to the client for some demo object."""
    app = client.application
    routes = set()
    skipped = NOT_LINKED.keys() | (SIGNED_OUT_PAGES if signed_in else set())
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint in skipped:
                continue
            for values in islice(_argument_sets(rule), 60):
                path = rule.build(values, append_unknown=False)[1]
                response = client.get(path)
                if response.status_code == 200:
                    routes.add((rule.endpoint, values.get("fmt")))
                    if "fmt" not in values:
                        break
    return routes
