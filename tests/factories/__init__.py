"""Test data builders, one module per area; import them from here (`from tests.factories import
make_user, make_session`).

core: places, schools, users, the fixed clock `NOW` and `PASSWORD`; booking: sessions,
settings and booking requests; lecturers: topics, pools, lecturers, stations, talk requests;
images: picture files for upload tests.
"""

from tests.factories.booking import family_request, make_session, make_settings, school_request
from tests.factories.core import (
    NOW,
    PASSWORD,
    make_region,
    make_school,
    make_user,
    make_venue,
    password_hash,
    regions_by_adcode,
)
from tests.factories.images import picture, png_declaring
from tests.factories.lecturers import (
    LECTURE_NOW,
    THURSDAY,
    WEDNESDAY,
    make_lecturer,
    make_pool,
    make_request,
    make_station,
    make_topic,
)

__all__ = [
    "LECTURE_NOW",
    "NOW",
    "PASSWORD",
    "THURSDAY",
    "WEDNESDAY",
    "family_request",
    "make_lecturer",
    "make_pool",
    "make_region",
    "make_request",
    "make_school",
    "make_session",
    "make_settings",
    "make_station",
    "make_topic",
    "make_user",
    "make_venue",
    "password_hash",
    "picture",
    "png_declaring",
    "regions_by_adcode",
    "school_request",
]
