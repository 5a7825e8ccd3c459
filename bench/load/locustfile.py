"""The mixed workload of the load test (run by bench/load/run.py; see bench/README.md).

  Teacher       signs in, opens the cabinet, edits the profile form, sometimes signs out (and in again later);
  SchoolAdmin   fills its own draft self-diagnostic: picks levels, posted by the JSON autosave as autosave.js does;
  Methodologist the monitoring dashboard, the municipalities table, a municipality and an organisation page;
  Director      a school admin downloading its approved development program as PDF: the background worker renders
                it after the approval; until then the page says «Документ готовится…» and refreshes itself.

Environment (set by run.py): CPP_LOAD_ACCOUNTS — the JSON written by prepare.py; CPP_LOAD_RESULTS — where every
autosave is recorded as a JSON line when sent (diagnostic, indicator, level, "sent") and when answered 200 with
«saved» (with its revision) for the integrity check; CPP_LOAD_MAIL_DIR — the server's CPP_MAIL_DIR, where sign-in codes are read from.

Every request is checked: anything but the expected status (and redirect target) is a failure.
"""
import itertools
import json
import os
import random
import re
import time
from email import message_from_bytes
from email import policy as email_policy
from html.parser import HTMLParser
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path
from urllib.parse import urlsplit

from locust import HttpUser, between, task
from locust.clients import HttpSession
from locust.exception import StopUser
from mix import METHODOLOGISTS, WEIGHTS
from requests.cookies import RequestsCookieJar

ACCOUNTS = json.loads(Path(os.environ["CPP_LOAD_ACCOUNTS"]).read_text())
RESULTS = Path(os.environ["CPP_LOAD_RESULTS"])
MAIL_DIR = Path(os.environ["CPP_LOAD_MAIL_DIR"])
CODE_LINE = re.compile(r"Код:\s*(\d{4,8})")
CODE_WAIT_SECONDS = 10
MAX_DOCUMENT_REFRESHES = 40  # 2 minutes of «Документ готовится…» at 3 s a refresh

# Accounts handed out once each: a teacher, school admin or director is one person at one browser.
_free = {role: list(ACCOUNTS[role]) for role in ("teachers", "school_admins", "directors")}
_methodologists = itertools.cycle(ACCOUNTS["methodologists"])
_addresses = itertools.count(1)


def _take(role: str) -> dict:
    if not _free[role]:
        raise RuntimeError(f"no {role} account left: prepare.py made too few for this user count")
    return _free[role].pop(0)


def _client_address() -> str:
    """10.a.b.c, one per simulated user: what nginx would put in X-Forwarded-For."""
    number = next(_addresses)
    return f"10.{number >> 16 & 255}.{number >> 8 & 255}.{number & 255 or 1}"


class LoopbackSecureCookies(DefaultCookiePolicy):
    """Production cookies are Secure, and a cookie jar returns Secure cookies only over https. Here the client talks
    plain http to gunicorn, as nginx does after ending TLS (X-Forwarded-Proto says the browser used https): Secure
    cookies are returned to the loopback address only, never to any other host."""

    def return_ok_secure(self, cookie, request):
        return urlsplit(request.get_full_url()).hostname == "127.0.0.1" or super().return_ok_secure(cookie, request)


class LoopbackHttpSession(HttpSession):
    """locust's session, sending its cookies under LoopbackSecureCookies: requests builds each request's Cookie
    header from a fresh jar with the default policy, so a policy set on the session's own jar would be ignored."""

    def prepare_request(self, request):
        prepared = super().prepare_request(request)
        jar = RequestsCookieJar()
        jar.set_policy(LoopbackSecureCookies())
        jar.update(self.cookies)
        prepared.headers.pop("Cookie", None)
        prepared.prepare_cookies(jar)
        return prepared


# ---------------------------------------------------------------------------------------------------- forms


class Form:
    """A form's fields in document order, as the browser's FormData sends them (no submit buttons)."""

    def __init__(self, attrs: dict):
        self.attrs = attrs
        self.fields: list[list[str]] = []
        self.radios: dict[str, list[str]] = {}  # every radio group's values, checked or not

    def get(self, name: str) -> str | None:
        return next((value for key, value in self.fields if key == name), None)

    def set(self, name: str, value: str) -> None:
        for field in self.fields:
            if field[0] == name:
                field[1] = value
                return
        self.fields.append([name, value])  # a radio group none of whose choices was checked

    def pairs(self) -> list[tuple[str, str]]:
        return [(key, value) for key, value in self.fields]


class FormParser(HTMLParser):
    SKIPPED_INPUTS = {"submit", "button", "image", "reset", "file"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._textarea: list[str] | None = None
        self._select: dict | None = None

    def handle_starttag(self, tag, attrs):
        attributes = {key: value if value is not None else "" for key, value in attrs}
        name = attributes.get("name")
        if tag == "form":
            self._form = Form(attributes)
            self.forms.append(self._form)
        elif self._form is None or (not name and tag != "option"):
            return
        elif tag == "input":
            kind = attributes.get("type", "text").lower()
            if kind in self.SKIPPED_INPUTS:
                return
            if kind == "radio":
                self._form.radios.setdefault(name, []).append(attributes.get("value", "on"))
            if kind in ("radio", "checkbox") and "checked" not in attributes:
                return
            self._form.fields.append([name, attributes.get("value", "on" if kind in ("radio", "checkbox") else "")])
        elif tag == "textarea":
            self._textarea = [name, ""]
            self._form.fields.append(self._textarea)
        elif tag == "select":
            self._select = {"name": name, "first": None, "chosen": None}
        elif tag == "option" and self._select is not None:
            value = attributes.get("value", "")
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in attributes:
                self._select["chosen"] = value

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select is not None and self._form is not None:
            chosen = self._select["chosen"] if self._select["chosen"] is not None else self._select["first"]
            self._form.fields.append([self._select["name"], chosen or ""])
            self._select = None
        elif tag == "form":
            self._form = None


def find_form(html: str, attribute: str | None = None, value: str | None = None, field: str | None = None):
    """The first form with `attribute` (equal to `value` when given) and a field named `field`; None if none."""
    parser = FormParser()
    parser.feed(html)
    for form in parser.forms:
        if attribute is not None and (attribute not in form.attrs or value is not None and form.attrs[attribute] != value):
            continue
        if field is not None and form.get(field) is None:
            continue
        return form
    return None


def path_of(location: str | None) -> str:
    return urlsplit(location or "").path


# --------------------------------------------------------------------------------------------- base user


class PortalUser(HttpUser):
    abstract = True
    account: dict

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.client = LoopbackHttpSession(base_url=self.host, request_event=self.environment.events.request,
                                          user=self, pool_manager=self.pool_manager)
        self.client.trust_env = False

    def on_start(self):
        self.origin = "https://" + urlsplit(self.host).netloc  # what the browser sees behind nginx
        self.client.headers.update({
            "X-Forwarded-For": _client_address(),
            "X-Forwarded-Proto": "https",
            "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) cpp-load-test",
            "Accept-Language": "ru-RU,ru;q=0.9",
        })
        self.signed_in = False

    # Redirects are never followed silently: each one is checked, then its target fetched as its own request.
    def page(self, path: str, name: str | None = None, referer: str | None = None) -> str | None:
        """GET a page that must answer 200; its HTML, or None after a recorded failure."""
        headers = {"Referer": self.origin + referer} if referer else {}
        with self.client.get(path, name=name, headers=headers, allow_redirects=False, catch_response=True) as reply:
            if reply.status_code != 200:
                reply.failure(f"{reply.status_code} instead of 200 (Location: {reply.headers.get('Location')})")
                return None
            return reply.text

    def post_form(self, path: str, form: Form, expect: str | None, referer: str | None = None) -> bool:
        """POST a form like the browser does (with the Referer of the page the form is on); it must redirect
        to `expect` (None: anywhere but back to a sign-in page)."""
        headers = {"Referer": self.origin + (referer or path), "Origin": self.origin}
        with self.client.post(path, data=form.pairs(), headers=headers, allow_redirects=False,
                              catch_response=True) as reply:
            target = path_of(reply.headers.get("Location"))
            if reply.status_code not in (302, 303) or (target != expect if expect else target.startswith("/login")):
                reply.failure(f"{reply.status_code} → {reply.headers.get('Location')} instead of a redirect "
                              f"to {expect or 'a signed-in page'}")
                return False
            return True

    def sign_in(self) -> bool:
        html = self.page("/login")
        form = html and find_form(html, field="password")
        if not form:
            return False
        form.set("email", self.account["email"])
        form.set("password", ACCOUNTS["password"])
        posted_at = time.time()
        headers = {"Referer": self.origin + "/login", "Origin": self.origin}
        with self.client.post("/login", data=form.pairs(), headers=headers, allow_redirects=False,
                              catch_response=True) as reply:
            target = path_of(reply.headers.get("Location"))
            if reply.status_code not in (302, 303) or (target.startswith("/login") and target != "/login/code"):
                reply.failure(f"sign-in refused: {reply.status_code} → {reply.headers.get('Location')}")
                return False
        if target == "/login/code":  # the second factor: the code mailed to the account's address
            if not self.enter_code(posted_at):
                return False
        self.signed_in = True
        return True

    def enter_code(self, posted_at: float) -> bool:
        html = self.page("/login/code", referer="/login")
        form = html and find_form(html, field="code")
        if not form:
            return False
        code = read_code(self.account["email"], posted_at)
        if not code:
            self.environment.events.request.fire(
                request_type="MAIL", name="sign-in code in the mail", response_time=0, response_length=0,
                exception=RuntimeError(f"no sign-in code mailed within {CODE_WAIT_SECONDS} s"), context={},
            )
            return False
        form.set("code", code)
        return self.post_form("/login/code", form, expect=None)

    def sign_out(self) -> None:
        html = self.page("/logout", referer="/cabinet/")
        form = html and find_form(html, "action", "/logout")
        if form and self.post_form("/logout", form, expect="/login"):
            self.signed_in = False


def read_code(email: str, since: float) -> str | None:
    """The code from the newest mail to `email` written after `since` (file backend: <UTC stamp>.eml)."""
    deadline = time.time() + CODE_WAIT_SECONDS
    while time.time() < deadline:
        for path in sorted(MAIL_DIR.glob("*.eml"), reverse=True):
            if path.stat().st_mtime < since - 1:
                break  # newest first: everything after this is older than the sign-in
            message = message_from_bytes(path.read_bytes(), policy=email_policy.default)
            if message["To"] == email:
                found = CODE_LINE.search(message.get_body(preferencelist=("plain",)).get_content())
                if found:
                    return found.group(1)
        time.sleep(0.2)
    return None


# ---------------------------------------------------------------------------------------------------- roles


PHONES = ("+7 912 345-67-{:02d}", "8 (391) 221-45-{:02d}", "+7 (923) 100-20-{:02d}")
SUBJECTS = ("математика", "физика, информатика", "русский язык, литература", "история, обществознание",
            "начальные классы", "английский язык", "биология, химия")
SETTLEMENTS = ("Красноярск", "Ачинск", "Канск", "Минусинск", "Шушенское", "Емельяново")


class Teacher(PortalUser):
    weight = WEIGHTS["teachers"]
    wait_time = between(5, 15)

    def on_start(self):
        super().on_start()
        self.account = _take("teachers")
        self.sign_in()

    def ensure_signed_in(self) -> bool:
        return self.signed_in or self.sign_in()

    @task(3)
    def cabinet(self):
        if self.ensure_signed_in():
            self.page("/cabinet/")

    @task(4)
    def edit_profile(self):
        if not self.ensure_signed_in():
            return
        html = self.page("/cabinet/profile", referer="/cabinet/")
        form = html and find_form(html, "action", "/cabinet/profile")
        if not form:
            return
        form.set("phone", random.choice(PHONES).format(random.randrange(100)))
        form.set("settlement", random.choice(SETTLEMENTS))
        form.set("subjects", random.choice(SUBJECTS))
        form.set("experience_years", str(random.randrange(0, 41)))
        form.set("qualification_category", random.choice(("первая", "высшая", "без категории")))
        form.set("position", "учитель")
        if self.post_form("/cabinet/profile", form, expect="/cabinet/profile"):
            saved = self.page("/cabinet/profile", name="/cabinet/profile (after saving)", referer="/cabinet/profile")
            if saved is not None and "Профиль сохранён." not in saved:
                self.environment.events.request.fire(
                    request_type="CHECK", name="profile saved notice", response_time=0, response_length=0,
                    exception=AssertionError("no «Профиль сохранён.» after saving"), context={},
                )

    @task(1)
    def sign_out_now(self):
        if self.signed_in:
            self.sign_out()


class SchoolAdmin(PortalUser):
    """Fills the questionnaire of its school's draft diagnostic; each change is one autosave."""

    weight = WEIGHTS["school_admins"]
    # autosave.js posts a second after the last change; choosing the next level takes a few seconds of reading.
    wait_time = between(3, 8)

    def on_start(self):
        super().on_start()
        self.account = _take("school_admins")
        self.diagnostic_id = self.account["diagnostic_id"]
        self.form = None
        if self.sign_in():
            self.page("/diagnostics/", referer="/cabinet/")
            self.open_step(random.choice(self.account["sections"]))

    def open_step(self, section: str) -> None:
        path = f"/diagnostics/{self.diagnostic_id}?section={section}"
        html = self.page(path, name="/diagnostics/[id]?section=[step]", referer="/diagnostics/")
        form = html and find_form(html, "data-autosave-url")
        if html is not None and form is None:
            self.environment.events.request.fire(
                request_type="CHECK", name="questionnaire form", response_time=0, response_length=0,
                exception=AssertionError("the step has no autosave form (diagnostic not editable?)"), context={},
            )
        self.form, self.step_path = form, path

    @task(12)
    def change_answer(self):
        if self.form is None:
            return
        form = self.form
        name = random.choice(list(form.radios))
        code = name.removeprefix("score-")
        level = random.choice([value for value in form.radios[name] if value != form.get(name)])
        form.set(name, level)
        if random.random() < 0.2:
            form.set(f"comment-{code}", f"Подтверждается локальным актом № {random.randrange(1, 300)}.")
        record = {"diagnostic_id": self.diagnostic_id, "user_id": self.account["user_id"], "indicator": code,
                  "level": int(level)}
        _record_autosave(record | {"sent": True})  # a save still on its way when locust stops may land unanswered
        headers = {"X-CSRFToken": form.get("csrf_token") or "", "Accept": "application/json",
                   "Referer": self.origin + self.step_path, "Origin": self.origin}
        with self.client.post(form.attrs["data-autosave-url"], data=form.pairs(), headers=headers,
                              name="/diagnostics/[id]/autosave", allow_redirects=False, catch_response=True) as reply:
            if reply.status_code != 200:
                reply.failure(f"{reply.status_code} (Location: {reply.headers.get('Location')})")
                return
            result = reply.json()
            revision = result.get("revisions", {}).get(code)
            if result.get("conflicts") or not result.get("saved") or revision is None:
                reply.failure(f"not saved: {result}")
                return
        # As autosave.js does: the page now holds the new revisions and digests.
        for key, value in result["revisions"].items():
            form.set(f"rev-{key}", str(value))
        for key, value in result["digests"].items():
            form.set(f"orig-{key}", value)
        _record_autosave(record | {"revision": revision})

    @task(1)
    def next_step(self):
        if self.signed_in:
            self.open_step(random.choice(self.account["sections"]))


class Methodologist(PortalUser):
    fixed_count = METHODOLOGISTS
    wait_time = between(5, 15)

    def on_start(self):
        super().on_start()
        self.account = next(_methodologists)
        if not self.sign_in():
            raise StopUser()

    @task(3)
    def dashboard(self):
        self.page("/monitoring/", referer="/cabinet/")

    @task(2)
    def municipalities(self):
        self.page("/monitoring/municipalities", referer="/monitoring/")

    @task(1)
    def municipality(self):
        municipality_id = random.choice(ACCOUNTS["municipality_ids"])
        self.page(f"/monitoring/municipalities/{municipality_id}", name="/monitoring/municipalities/[id]",
                  referer="/monitoring/municipalities")

    @task(2)
    def organization(self):
        organization_id = random.choice(ACCOUNTS["organization_ids"])
        self.page(f"/monitoring/organizations/{organization_id}", name="/monitoring/organizations/[id]",
                  referer="/monitoring/municipalities")


def _record_autosave(record: dict) -> None:
    with RESULTS.open("a", encoding="utf-8") as results:
        results.write(json.dumps(record) + "\n")


class Director(PortalUser):
    """A school admin whose school's program was approved just before the run: its PDF is rendered by the background
    worker, so a download either gets the stored copy or «Документ готовится…» with a Refresh header, followed as a
    browser does until the PDF comes."""

    weight = WEIGHTS["directors"]
    wait_time = between(10, 30)

    def on_start(self):
        super().on_start()
        self.account = _take("directors")
        self.program_id = self.account["program_id"]
        if not self.sign_in():
            raise StopUser()
        self.programs()
        self.wait()  # reading the list: the downloads do not all come at once

    @task(1)
    def programs(self):
        self.page("/programs/", referer="/cabinet/")

    @task(3)
    def program_pdf(self):
        asked = time.monotonic()
        for refresh in range(MAX_DOCUMENT_REFRESHES + 1):
            name = "/programs/[id].pdf" if refresh == 0 else "/programs/[id].pdf (refresh of «Документ готовится…»)"
            with self.client.get(f"/programs/{self.program_id}.pdf", name=name, allow_redirects=False,
                                 headers={"Referer": f"{self.origin}/programs/{self.program_id}"},
                                 catch_response=True) as reply:
                if reply.status_code == 200 and reply.content.startswith(b"%PDF"):
                    break
                delay = reply.headers.get("Refresh", "")
                if reply.status_code != 200 or not delay.isdigit() or "Документ готовится" not in reply.text:
                    reply.failure(f"{reply.status_code} {reply.headers.get('Content-Type')}")
                    return
            time.sleep(int(delay))
        else:
            self.environment.events.request.fire(
                request_type="WAIT", name="program PDF never ready", response_time=0, response_length=0,
                exception=RuntimeError(f"not ready after {MAX_DOCUMENT_REFRESHES} refreshes"), context={})
            return
        if refresh:  # how long a director who came too early waited for the document, refreshes included
            self.environment.events.request.fire(
                request_type="WAIT", name="program PDF: from «готовится» to the document",
                response_time=1000 * (time.monotonic() - asked), response_length=0, exception=None, context={})
