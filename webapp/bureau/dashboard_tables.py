"""The dashboard's figures as titled tables with a chart each: the page and the Excel file
render the same tables, so every figure shown can be downloaded."""

from dataclasses import dataclass, field

from flask_babel import gettext as _

from webapp.i18n import current_language, region_label
from webapp.labels import CATEGORY_LABELS
from webapp.services.supervision.dashboard import Dashboard


@dataclass
class FigureTable:
    key: str
    title: str
    headers: list[str]
    rows: list[list]
    #: "bar", "line", "pie", "map" or "" (no chart); the chart plots column 0 against the rest
    chart: str = ""
    note: str = ""
    #: rows flagged as behind a target (row indices)
    flagged: set[int] = field(default_factory=set)

    def chart_spec(self) -> dict:
        series = [
            {"name": str(h), "data": [row[i] for row in self.rows]}
            for i, h in enumerate(self.headers[1:], start=1)
        ]
        return {"type": self.chart, "labels": [str(r[0]) for r in self.rows], "series": series}


def _group_labels() -> dict[str, str]:
    return {
        "preschool": _("Preschool children"),
        "primary": _("Primary pupils"),
        "junior": _("Junior secondary students"),
        "senior": _("Senior secondary students"),
        "adults": _("Adults and teachers"),
    }


def _green_labels() -> dict[str, str]:
    return {
        "left_behind": _("Left-behind children"),
        "disabled": _("Disabled children"),
        "orphaned": _("Orphans"),
        "special_family": _("Children of special families"),
    }


def _booked(sums: dict) -> int:
    return sum(sums[f"booked_{g}"] for g in _group_labels())


def _arrived(sums: dict) -> int:
    return sum(sums[f"arrived_{g}"] for g in _group_labels())


def _summary(d: Dashboard) -> FigureTable:
    t = d.totals
    rows = [
        [_("Venues"), d.venues_total],
        [_("Sessions offered"), t["sessions"]],
        [_("Places offered"), t["capacity"]],
        [_("Places taken"), t["taken"]],
        [_("Open days held"), t["open_days"]],
        [_("Bookings"), t["bookings"]],
        [_("Visitors booked"), _booked(t)],
        [_("Visitors who came"), _arrived(t)],
        [_("Green-channel children served"), sum(t[k] for k in _green_labels())],
        [_("Lecturer talks delivered"), d.talks_delivered],
        [_("People reached by talks"), d.talk_audience],
        [_("Schools with a trip this semester"),
         d.schools_total - len(d.schools_without_trip)],
        [_("Schools"), d.schools_total],
        [_("Schools behind the guidance target"), len(d.schools_behind)],
        [_("Stations behind the guidance target"), len(d.stations_behind)],
    ]
    return FigureTable("summary", _("Summary"), [_("Figure"), _("Number")], rows)


def _ranked(key: str, title: str, uses) -> FigureTable:
    return FigureTable(
        key, title, [_("Venue"), _("Visitors who came"), _("Visitors booked")],
        [[u.name, u.arrived, u.booked] for u in uses], chart="bar" if uses else "",
    )


def _hosts(key: str, title: str, hosts, target: int, note: str) -> FigureTable:
    rows = [[h.name, h.activities, _("Behind") if h.is_behind else _("Met")] for h in hosts]
    return FigureTable(
        key, title, [_("Name"), _("Activities held"), _("Target %(num)d", num=target)],
        rows, note=note, flagged={i for i, h in enumerate(hosts) if h.is_behind},
    )


def build_tables(d: Dashboard) -> list[FigureTable]:
    """Every figure of the dashboard, in page order."""
    lang = current_language()
    groups, greens = _group_labels(), _green_labels()
    months = sorted(d.months)
    semester = f"{d.semester[0].isoformat()} – {d.semester[1].isoformat()}"
    return [
        _summary(d),
        FigureTable(
            "by_month", _("Visitors by month, booked and arrived"),
            [_("Month"), _("Visitors booked"), _("Visitors who came"),
             _("Green channel, came"), _("General channel, came")],
            [[m.strftime("%Y-%m"), _booked(d.months[m]), _arrived(d.months[m]),
              d.months[m]["arrived_green"], _arrived(d.months[m]) - d.months[m]["arrived_green"]]
             for m in months],
            chart="line",
        ),
        FigureTable(
            "by_group", _("Visitors by group"),
            [_("Visitor group"), _("Visitors booked"), _("Visitors who came")],
            [[label, d.totals[f"booked_{g}"], d.totals[f"arrived_{g}"]]
             for g, label in groups.items()],
            chart="bar",
        ),
        FigureTable(
            "by_channel", _("Visitors by channel"),
            [_("Channel"), _("Visitors booked"), _("Visitors who came")],
            [[_("Green channel"), d.totals["booked_green"], d.totals["arrived_green"]],
             [_("General channel"), _booked(d.totals) - d.totals["booked_green"],
              _arrived(d.totals) - d.totals["arrived_green"]]],
            chart="pie",
        ),
        FigureTable(
            "green", _("Green-channel children served, by category"),
            [_("Category"), _("Children")],
            [[label, d.totals[k]] for k, label in greens.items()], chart="bar",
        ),
        FigureTable(
            "sessions", _("Sessions offered and places taken, by month"),
            [_("Month"), _("Sessions offered"), _("Open days held"), _("Places offered"),
             _("Places taken")],
            [[m.strftime("%Y-%m"), d.months[m]["sessions"], d.months[m]["open_days"],
              d.months[m]["capacity"], d.months[m]["taken"]] for m in months],
            chart="bar",
        ),
        FigureTable(
            "by_category", _("Venues by category"), [_("Category"), _("Venues")],
            [[str(CATEGORY_LABELS[c]), n] for c, n in d.venues_by_category], chart="pie",
        ),
        FigureTable(
            "by_county", _("Venues by county"), [_("County"), _("Venues")],
            [[region_label(r, lang), n] for r, n in d.venues_by_county], chart="bar",
        ),
        _ranked("most_visited", _("Most visited venues"), d.most_visited),
        _ranked("least_visited", _("Least visited venues"), d.least_visited),
        FigureTable(
            "school_trips", _("Class trips per school in the period"),
            [_("School"), _("Trips in the period"), _("Trips this semester")],
            [[name, period, term] for _i, name, period, term in d.school_trips],
        ),
        FigureTable(
            "no_trip", _("Schools with no trip this semester"), [_("School")],
            [[name] for _i, name in d.schools_without_trip],
            note=_("Semester %(dates)s.", dates=semester),
        ),
        _hosts("schools_guidance", _("Guidance activities per school this semester"),
               d.schools_guidance, d.school_target,
               _("The notice asks each school for at least 2 a semester (%(dates)s).",
                 dates=semester)),
        _hosts("stations_guidance", _("Guidance activities per station this year"),
               d.stations_guidance, d.station_target,
               _("The notice asks each station for at least 4 a year (%(year)d).", year=d.year)),
    ]


def map_points(d: Dashboard) -> list[list]:
    """[lng, lat, visitors who came, name] for every venue of the region."""
    return [[lng, lat, arrived, name] for _i, name, lat, lng, _c, _b, arrived in d.venue_use]
