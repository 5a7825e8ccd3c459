"""`flask seed --demo` leaves work waiting on every start page: teachers to confirm, people to invite, external
courses to verify, a personal-data request to answer — once, however often it runs."""
from sqlalchemy import func, select

from cpp_app.models import CourseRecord, PrivacyRequest, StaffRegisterEntry, User
from cpp_app.seeding import seed_demo_data


def test_demo_daily_work_is_seeded_once(database):
    first = seed_demo_data(password="Demo-Daily-2026!")
    second = seed_demo_data(password="Demo-Daily-2026!")
    assert (first["demo_waiting_teachers"], first["demo_register_rows"], first["demo_external_courses"],
            first["demo_privacy_requests"]) == (4, 11, 2, 1)
    assert not any(second[key] for key in ("demo_waiting_teachers", "demo_register_rows", "demo_external_courses",
                                           "demo_privacy_requests"))

    director = database.session.scalar(select(User).where(User.email == "director@demo.example"))
    school_id = director.organization_id
    waiting = database.session.scalar(select(func.count(User.id)).where(
        User.organization_id == school_id, User.confirmed_at.is_(None)))
    unregistered = database.session.scalar(select(func.count(StaffRegisterEntry.id)).where(
        StaffRegisterEntry.organization_id == school_id, StaffRegisterEntry.user_id.is_(None)))
    to_verify = database.session.scalar(select(func.count(CourseRecord.id)).where(
        CourseRecord.course_id.is_(None), CourseRecord.verified_at.is_(None)))
    assert (waiting, unregistered, to_verify) == (4, 3, 2)
    assert database.session.scalar(select(PrivacyRequest.due_at)) is not None
