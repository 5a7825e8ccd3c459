"""The version for the visually impaired (ГОСТ Р 52872-2019): on/off, font size, colour scheme, images and letter
spacing, each kept in its own cookie so the choice stays with the browser, signed in or not."""
from dataclasses import dataclass

from flask import redirect, request

from ...kernel.forms import EmptyForm
from ...urls import safe_next_url
from ..privacy.gate import reachable_without_consent
from . import bp

COOKIE_MAX_AGE = 365 * 24 * 3600
ENABLED_COOKIE = "a11y"
# Each setting: its allowed values, the first being the default (which adds no class to the page).
SETTINGS = {
    "font": ("100", "150", "200"),
    "scheme": ("light", "dark", "blue"),
    "images": ("on", "off"),
    "spacing": ("1", "2", "3"),
}


@dataclass(frozen=True)
class AccessibilitySettings:
    enabled: bool
    font: str
    scheme: str
    images: str
    spacing: str

    @property
    def css_classes(self) -> str:
        """Classes for <html> while the version is on: «a11y» plus one per setting that differs from its default."""
        chosen = [f"a11y-{name}-{getattr(self, name)}" for name, values in SETTINGS.items()
                  if getattr(self, name) != values[0]]
        return " ".join(["a11y", *chosen])


def settings_from_cookies(cookies) -> AccessibilitySettings:
    """Unknown or tampered values fall back to the default."""
    values = {name: cookies.get(f"a11y_{name}") for name in SETTINGS}
    return AccessibilitySettings(
        enabled=cookies.get(ENABLED_COOKIE) == "1",
        **{name: value if value in SETTINGS[name] else SETTINGS[name][0] for name, value in values.items()},
    )


@bp.app_context_processor
def inject_accessibility():
    settings = settings_from_cookies(request.cookies)
    return {"accessible_mode": settings.enabled, "a11y": settings}


@bp.post("/accessibility")
@reachable_without_consent
def accessibility():
    """Turns the version on or off (`enabled` 1/0) or stores one setting (the pressed button's name and value)."""
    form = EmptyForm()
    response = redirect(safe_next_url(request.form.get("next")))
    if not form.validate_on_submit():
        return response
    chosen = {}
    if request.form.get("enabled") in ("0", "1"):
        chosen[ENABLED_COOKIE] = request.form["enabled"]
    for name, values in SETTINGS.items():
        if request.form.get(name) in values:
            chosen[f"a11y_{name}"] = request.form[name]
    for cookie, value in chosen.items():
        response.set_cookie(cookie, value, max_age=COOKIE_MAX_AGE, httponly=True, samesite="Lax", secure=request.is_secure)
    return response
