"""Links to a teacher's profile on an education platform: https, on the platform's own hosts, nothing else."""
import re
from collections.abc import Iterable
from urllib.parse import urlsplit, urlunsplit

MAX_LENGTH = 500

# Plain ASCII host labels only: anything else (backslashes, %-escapes, IP literals, a trailing dot)
# is a place where browsers and Python's parser can disagree about the host.
_HOST = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$")
_FORBIDDEN = re.compile(r"[\s\\\x00-\x1f\x7f]")


class LinkError(ValueError):
    pass


def host_allowed(host: str, domains: Iterable[str]) -> bool:
    """The host is one of the domains or a subdomain of one; `evilsferum.ru` is not `sferum.ru`."""
    host = host.lower()
    return any(host == domain or host.endswith("." + domain) for domain in (d.strip().lower() for d in domains) if domain)


def normalize_profile_link(text: str | None, domains: Iterable[str]) -> str | None:
    """The link with its scheme and host lower-cased, None when empty; LinkError says in Russian what is wrong."""
    domains = [d for d in domains if d]
    text = (text or "").strip()
    if not text:
        return None
    if len(text) > MAX_LENGTH:
        raise LinkError(f"Ссылка слишком длинная: не более {MAX_LENGTH} символов.")
    if _FORBIDDEN.search(text):
        raise LinkError("Ссылка не должна содержать пробелов и обратной косой черты. Скопируйте её из адресной строки.")
    try:
        parts = urlsplit(text)
    except ValueError:
        raise LinkError("Ссылка не распознана. Скопируйте её из адресной строки браузера.") from None
    if parts.scheme.lower() != "https":
        raise LinkError("Ссылка должна начинаться с https://.")
    if "@" in parts.netloc:
        raise LinkError("Ссылка не должна содержать имя пользователя или пароль (знак «@» перед адресом сайта).")
    host = (parts.hostname or "").lower()
    if not _HOST.match(host) or not host_allowed(host, domains):
        raise LinkError(f"Ссылка должна вести на сайт платформы: {', '.join(domains)}.")
    if parts.netloc.lower() != host:
        raise LinkError("Ссылка не должна содержать номер порта.")
    return urlunsplit(("https", host, parts.path, parts.query, parts.fragment))
