"""What a guesser can and cannot do: no telling known addresses by time, no locking the owner out, mail caps."""
import re
from datetime import timedelta

import pytest
from argon2 import PasswordHasher

from cpp_app.blueprints.auth import services
from cpp_app.domain.throttle import ACCOUNT_POLICY, ACCOUNT_WIDE_POLICY
from cpp_app.mail import outbox
from cpp_app.models import utcnow
from tests.conftest import TEST_PASSWORD, extract_csrf

EMAIL = "teacher@school.example"
LOCK_MESSAGE = "Вход временно заблокирован"
# Longer than any growing wait, shorter than a lock-out: every try is judged, and locks still hold.
STEP = timedelta(minutes=6)
STEPS: list[None] = []


@pytest.fixture(autouse=True)
def stepping_clock(monkeypatch):
    """The sign-in clock moves on by STEP at each try, so that tries are counted rather than refused."""
    start = utcnow()
    STEPS.clear()
    monkeypatch.setattr(services, "utcnow", lambda: start + STEP * len(STEPS))


def attempt(client, password, ip="192.0.2.1", email=EMAIL):
    environ = {"REMOTE_ADDR": ip}
    token = extract_csrf(client.get("/login", environ_base=environ))
    STEPS.append(None)
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token},
                       environ_base=environ)


def test_an_unknown_address_costs_a_password_check_like_a_known_one(client, make_user, monkeypatch):
    make_user(email=EMAIL)
    calls = []
    real_verify = PasswordHasher.verify
    monkeypatch.setattr(PasswordHasher, "verify", lambda self, hash, password: calls.append(hash) or
                        real_verify(self, hash, password))
    attempt(client, "wrong-password-1")
    attempt(client, "wrong-password-1", email="nobody@school.example")
    assert len(calls) == 2  # one argon2 verification each, the unknown address's against a dummy hash
    assert calls[0] != calls[1] and all(hash.startswith("$argon2id$") for hash in calls)


def test_failures_from_one_address_lock_that_address_out_not_the_owner(client, make_user):
    make_user(email=EMAIL)
    for _ in range(ACCOUNT_POLICY.lock_after):
        attempt(client, "wrong-password-1", ip="198.51.100.7")
    assert LOCK_MESSAGE in attempt(client, TEST_PASSWORD, ip="198.51.100.7").get_data(as_text=True)
    assert attempt(client, TEST_PASSWORD, ip="203.0.113.5").status_code == 302


def test_the_owner_hears_once_per_lock_out_with_a_link_back_in(client, make_user):
    make_user(email=EMAIL)
    for _ in range(ACCOUNT_POLICY.lock_after + 2):  # the last two within the lock-out
        attempt(client, "wrong-password-1", ip="198.51.100.7")
    (notice,) = [m for m in outbox() if m["Subject"] == "Вход в ЦПП временно ограничен"]
    assert notice["To"] == EMAIL
    link = re.search(r"http://localhost(/password/reset/\S+)", notice.get_content()).group(1)
    assert "Новый пароль" in client.get(link).get_data(as_text=True)


def test_guessing_from_many_addresses_slows_new_devices_but_not_the_owners(app, make_user):
    make_user(email=EMAIL)
    owner = app.test_client()
    assert attempt(owner, TEST_PASSWORD, ip="203.0.113.5").status_code == 302  # the browser becomes known
    owner.post("/logout", data={"csrf_token": extract_csrf(owner.get("/logout"))})
    guesser = app.test_client()
    for number in range(ACCOUNT_WIDE_POLICY.lock_after):
        attempt(guesser, "wrong-password-1", ip=f"198.51.100.{number // 5 + 1}")  # 5 a address: under its limit
    stranger = app.test_client()
    assert LOCK_MESSAGE in attempt(stranger, TEST_PASSWORD, ip="203.0.113.99").get_data(as_text=True)
    assert attempt(owner, TEST_PASSWORD, ip="203.0.113.6").status_code == 302


def test_a_forged_device_cookie_gives_no_bypass(app, make_user):
    make_user(email=EMAIL)
    guesser = app.test_client()
    for number in range(ACCOUNT_WIDE_POLICY.lock_after):
        attempt(guesser, "wrong-password-1", ip=f"198.51.100.{number // 5 + 1}")
    forger = app.test_client()
    forger.set_cookie("cpp_device", "WzFd.forged.signature", path="/login")
    assert LOCK_MESSAGE in attempt(forger, TEST_PASSWORD, ip="203.0.113.99").get_data(as_text=True)


def test_reset_mails_to_one_address_are_capped(client, make_user):
    make_user(email=EMAIL)
    for _ in range(5):
        token = extract_csrf(client.get("/password/forgot"))
        assert client.post("/password/forgot", data={"email": EMAIL, "csrf_token": token}).status_code == 302
    assert len([m for m in outbox() if m["To"] == EMAIL]) == 3
