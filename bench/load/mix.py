"""The workload's mix, shared by the locustfile and run.py (which sizes the accounts from it); no locust import here,
so that run.py stays free of gevent's monkey-patching."""
import math

# Simulated users per role: weights of the weighted roles, and a fixed number of methodologists.
WEIGHTS = {"teachers": 6, "school_admins": 3, "directors": 1}
METHODOLOGISTS = 2
PASSWORD = "Load-bench-2026!"  # the accounts live in a throw-away database that run.py drops afterwards


def accounts_needed(users: int) -> dict[str, int]:
    """Accounts per role for `users` simulated users: each teacher, school admin and director signs in with an
    account of their own (an autosave must never meet a colleague's change); methodologists share theirs."""
    weighted = max(0, users - METHODOLOGISTS)
    total = sum(WEIGHTS.values())
    # Locust rounds each class's share up or down; one spare per role covers the rounding.
    counts = {role: math.ceil(weighted * weight / total) + 1 for role, weight in WEIGHTS.items()}
    return {**counts, "methodologists": METHODOLOGISTS}
