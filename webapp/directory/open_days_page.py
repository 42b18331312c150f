"""本周开放日: the public list of open days this week and next, across all venues."""

from flask import render_template, request

from models import RegionLevel, Stage
from models.user import utcnow
from webapp.directory import bp
from webapp.i18n import QueryForm, current_language
from webapp.query_fields import RegionCodeField
from webapp.services.booking import open_days
from webapp.services.catalogue import search as venue_service
from webapp.services.clock import local_date


class OpenDayFilterForm(QueryForm):
    city = RegionCodeField(level=RegionLevel.CITY)
    county = RegionCodeField(level=RegionLevel.COUNTY)


@bp.route("/open-days")
def open_days_page():
    form = OpenDayFilterForm(request.args)
    form.validate()
    city = form.city.region if not form.city.errors else None
    county = form.county.region if not form.county.errors else None
    now = utcnow()
    first, last = open_days.public_window(local_date(now))
    cities, counties = venue_service.list_region_options(current_language())
    status = 400 if form.errors else 200
    return render_template(
        "directory/open_days.html",
        sessions=open_days.list_public_open_days(now=now, city=city, county=county),
        first=first,
        last=last,
        form=form,
        city=city,
        county=county,
        cities=cities,
        counties=counties,
        STAGES=Stage,
        places_left=open_days.channel_places_left,
    ), status
