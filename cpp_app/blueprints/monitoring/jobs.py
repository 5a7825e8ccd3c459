"""The monitoring figures' rebuild as a background job: what a page asks for when the figures are missing or old."""
from ...jobs import job
from .figures import REFRESH_JOB, refresh


@job(REFRESH_JOB, "Пересчёт показателей мониторинга")
def refresh_monitoring(payload: dict) -> None:
    refresh()
