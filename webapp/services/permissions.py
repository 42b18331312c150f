"""Who may do what: the one place role rules live (routes and templates only call these).

Bureau staff act for the region of their grant and every region inside it; administrators
may do everything. School staff act for the school their approved grant names.
"""

from models import Role


def is_admin(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_admin)


def _is_within(region, ancestor) -> bool:
    node = region
    while node is not None:
        if node.id == ancestor.id:
            return True
        node = node.parent
    return False


def can_manage_region(user, region) -> bool:
    """Bureau staff whose scope region is `region` or an ancestor of it; admin always."""
    if is_admin(user):
        return True
    if user is None or not getattr(user, "is_authenticated", False) or region is None:
        return False
    return any(
        g.region is not None and _is_within(region, g.region)
        for g in user.active_grants(Role.BUREAU_STAFF)
    )


def can_act_for_school(user, school) -> bool:
    """School staff with an approved grant for `school`; admin always."""
    if is_admin(user):
        return True
    if user is None or not getattr(user, "is_authenticated", False) or school is None:
        return False
    return any(g.school_id == school.id for g in user.active_grants(Role.SCHOOL_STAFF))


def can_manage_venue(user, venue) -> bool:
    """Venue staff of `venue`, or bureau staff of its county's region; admin always."""
    if is_admin(user):
        return True
    if user is None or not getattr(user, "is_authenticated", False) or venue is None:
        return False
    if any(g.venue_id == venue.id for g in user.active_grants(Role.VENUE_STAFF)):
        return True
    return can_manage_region(user, venue.county)
