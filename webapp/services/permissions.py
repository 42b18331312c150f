"""Who may do what: the one place that reads roles and their scopes.

Routes, templates and services ask these functions; none of them looks at grants itself.
(Stand-in for the accounts area's permission module; same names and meaning.)
"""

from models import Role


def _grants(user, role: Role):
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return user.active_grants(role)


def is_admin(user) -> bool:
    """True for a signed-in administrator."""
    return bool(_grants(user, Role.ADMIN))


def can_manage_venue(user, venue) -> bool:
    """Venue staff of this venue, and administrators."""
    if venue is None:
        return False
    return is_admin(user) or any(g.venue_id == venue.id for g in _grants(user, Role.VENUE_STAFF))


def can_act_for_school(user, school) -> bool:
    """Approved school staff of this school, and administrators."""
    if school is None:
        return False
    return is_admin(user) or any(g.school_id == school.id for g in _grants(user, Role.SCHOOL_STAFF))


def can_manage_region(user, region) -> bool:
    """Bureau staff whose scope is this region or an ancestor of it; administrators always."""
    if region is None:
        return False
    if is_admin(user):
        return True
    scopes = {g.region_id for g in _grants(user, Role.BUREAU_STAFF)}
    node = region
    while node is not None:
        if node.id in scopes:
            return True
        node = node.parent
    return False
