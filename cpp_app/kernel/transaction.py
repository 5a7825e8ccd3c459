"""One transaction per request, and the effects that must wait for its end.

The app commits once, after the view returned a response below 400 (`commit_or_roll_back`, an after_request hook);
an error response or an exception rolls everything back. Views and services only flush. A view that must keep its
changes whatever follows — a lost race it reports, a partial save it answers with 409 — calls `commit_now()`, which
says so. Effects outside the database that must not happen when the transaction rolls back (mail, deleting files)
are queued with `after_commit`; effects made early that a rollback must undo (a file written during the request)
register their undoing with `on_rollback`. Both queues run once the outermost transaction has ended, so no row lock
is held while a slow mail server answers; a failing effect is logged by its kind and never undoes the commit.
"""
import logging
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session

from ..extensions import db

logger = logging.getLogger(__name__)
_QUEUES = "cpp_transaction_effects"


def after_commit(effect: Callable[[], None]) -> None:
    """Runs `effect` when the current transaction commits; never if it rolls back."""
    _queues()["commit"].append(effect)


def on_rollback(effect: Callable[[], None]) -> None:
    """Runs `effect` if the current transaction ends without committing."""
    _queues()["rollback"].append(effect)


def commit_now() -> None:
    """Commits before the request ends: for a view whose changes must stand even if its response is an error."""
    db.session.commit()


def discard_changes() -> None:
    """Undoes what the request flushed so far (the user's input was refused); the request may go on reading."""
    db.session.rollback()


def commit_or_roll_back(response):
    """The after_request hook: the request's single commit, or its rollback for an error response."""
    if response.status_code < 400:
        session = db.session()
        # The request is over: what the later hooks still read (the access log's user id) needs no reloading.
        session.expire_on_commit = False
        try:
            session.commit()
        finally:
            session.expire_on_commit = True
    else:
        db.session.rollback()
    return response


def _queues() -> dict[str, list[Callable[[], None]]]:
    session = db.session()
    if not session.in_transaction():
        session.begin()  # so that its end, commit or not, is seen
    return session.info.setdefault(_QUEUES, {"commit": [], "rollback": []})


def _run(effects: list[Callable[[], None]]) -> None:
    for effect in effects:
        try:
            effect()
        except Exception as error:  # the transaction has ended: an effect's failure must not reach the user's action
            # By name and kind only: an effect's arguments and the error's text may carry addresses.
            name = getattr(getattr(effect, "func", effect), "__qualname__", "effect")
            logger.error("After-transaction effect %s failed: %s", name, type(error).__name__)


@event.listens_for(Session, "after_commit")
def _run_after_commit(session):
    if session.in_nested_transaction():
        return  # a released savepoint is not a commit yet
    queues = session.info.pop(_QUEUES, None)
    if queues:
        _run(queues["commit"])


@event.listens_for(Session, "after_transaction_end")
def _run_on_rollback(session, transaction):
    if transaction.parent is not None:
        return
    queues = session.info.pop(_QUEUES, None)  # still here: the transaction did not commit
    if queues:
        _run(queues["rollback"])
