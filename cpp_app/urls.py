"""Addresses: redirect targets taken from the request stay on this site; links sent away use the public address."""
from urllib.parse import urlsplit

from flask import current_app, url_for


def safe_next_url(target: str | None, default_endpoint: str = "main.index") -> str:
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//") and "\\" not in target:
            return target
    return url_for(default_endpoint)


def public_url_for(endpoint: str, **values) -> str:
    """An absolute link for mail and documents, built from the configured PUBLIC_URL — never from the request's
    Host header, which whoever sends the request chooses (a poisoned password-reset link)."""
    public = urlsplit(current_app.config["PUBLIC_URL"])
    adapter = current_app.url_map.bind(public.netloc, script_name=public.path or "/", url_scheme=public.scheme)
    return adapter.build(endpoint, values, force_external=True)
