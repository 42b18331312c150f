"""Display names of the domain's enums, translated at render time."""

from flask_babel import lazy_gettext as _l

from models import AdmissionKind, Role, Stage, VenueCategory, VenueLevel, VisitorGroup

CATEGORY_LABELS = {
    VenueCategory.PATRIOTIC_EDUCATION: _l("Patriotic-education base"),
    VenueCategory.RULE_OF_LAW: _l("Rule-of-law education base"),
    VenueCategory.STUDY_TRAVEL: _l("Study-travel base"),
    VenueCategory.SCIENCE_POPULARISATION: _l("Science-popularisation base"),
    VenueCategory.LIBRARY: _l("Library"),
    VenueCategory.MUSEUM: _l("Museum"),
    VenueCategory.CULTURAL_CENTRE: _l("Cultural centre"),
    VenueCategory.INTANGIBLE_HERITAGE: _l("Intangible-heritage hall"),
    VenueCategory.ART_GALLERY: _l("Art gallery"),
    VenueCategory.MEMORIAL_HALL: _l("Memorial hall"),
    VenueCategory.SCIENCE_MUSEUM: _l("Science and technology museum"),
    VenueCategory.PERFORMANCE_VENUE: _l("Performance venue"),
    VenueCategory.SPORTS_VENUE: _l("Sports venue"),
    VenueCategory.NATIONAL_PARK: _l("National park"),
    VenueCategory.YOUTH_PALACE: _l("Youth palace"),
    VenueCategory.CHILDREN_CENTRE: _l("Children's activity centre"),
}

LEVEL_LABELS = {
    VenueLevel.NATIONAL: _l("National base"),
    VenueLevel.PROVINCIAL: _l("Provincial base"),
    VenueLevel.CITY: _l("City base"),
    VenueLevel.COUNTY: _l("County base"),
}

STAGE_LABELS = {
    Stage.PRESCHOOL: _l("Preschool"),
    Stage.PRIMARY: _l("Primary school"),
    Stage.JUNIOR: _l("Junior secondary"),
    Stage.SENIOR: _l("Senior secondary"),
}

VISITOR_GROUP_LABELS = {
    VisitorGroup.PRESCHOOL: _l("Preschool children"),
    VisitorGroup.PRIMARY: _l("Primary pupils"),
    VisitorGroup.JUNIOR: _l("Junior secondary students"),
    VisitorGroup.SENIOR: _l("Senior secondary students"),
    VisitorGroup.ADULT: _l("Accompanying adults"),
    VisitorGroup.TEACHER: _l("Teachers"),
}

ADMISSION_LABELS = {
    AdmissionKind.FREE: _l("Free"),
    AdmissionKind.DISCOUNT: _l("Discounted"),
    AdmissionKind.FULL: _l("Full price"),
}

ROLE_LABELS = {
    Role.FAMILY: _l("Family"),
    Role.SCHOOL_STAFF: _l("School staff"),
    Role.VENUE_STAFF: _l("Venue staff"),
    Role.BUREAU_STAFF: _l("Bureau staff"),
    Role.ADMIN: _l("Site administrator"),
}

WEEKDAY_LABELS = {
    1: _l("Monday"),
    2: _l("Tuesday"),
    3: _l("Wednesday"),
    4: _l("Thursday"),
    5: _l("Friday"),
    6: _l("Saturday"),
    7: _l("Sunday"),
}


def init_app(app):
    app.jinja_env.globals.update(
        CATEGORY_LABELS=CATEGORY_LABELS,
        LEVEL_LABELS=LEVEL_LABELS,
        STAGE_LABELS=STAGE_LABELS,
        VISITOR_GROUP_LABELS=VISITOR_GROUP_LABELS,
        ADMISSION_LABELS=ADMISSION_LABELS,
        WEEKDAY_LABELS=WEEKDAY_LABELS,
        ROLE_LABELS=ROLE_LABELS,
    )
