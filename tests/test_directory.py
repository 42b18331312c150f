from datetime import date

import pytest

from models import AdmissionKind, Stage, VenueCategory, VenueClosure, VisitorGroup, db
from tests.factories import make_venue
from webapp.services.catalogue.search import VenueFilters, search_venues

FREE = {g: (AdmissionKind.FREE, None) for g in VisitorGroup}
PAID = {
    **FREE,
    VisitorGroup.SENIOR: (AdmissionKind.DISCOUNT, 30),
    VisitorGroup.ADULT: (AdmissionKind.FULL, 60),
}


def names(page):
    return {hit.venue.name for hit in page.hits}


@pytest.fixture
def catalogue(regions):
    xiaodian, jinyuan, pingcheng = regions["140105"], regions["140110"], regions["140213"]
    venues = {
        "jinci": make_venue(
            xiaodian if False else jinyuan,
            name="晋祠博物馆",
            address="山西省太原市晋源区晋祠镇",
            categories=[VenueCategory.MUSEUM],
            admission=PAID,
            stages=[Stage.JUNIOR, Stage.SENIOR],
            lat=37.7069,
            lng=112.4400,
        ),
        "science": make_venue(
            xiaodian,
            name="山西省科学技术馆",
            address="山西省太原市小店区长风街",
            categories=[VenueCategory.SCIENCE_MUSEUM, VenueCategory.SCIENCE_POPULARISATION],
            stages=list(Stage),
            is_accessible=True,
            lat=37.8157,
            lng=112.5420,
        ),
        "datong": make_venue(
            pingcheng,
            name="大同市博物馆",
            address="山西省大同市平城区太和路",
            categories=[VenueCategory.MUSEUM],
            lat=40.0768,
            lng=113.3420,
            weekdays=[1, 2, 3, 4, 5],
        ),
    }
    db.session.commit()
    return venues


def test_keyword_matches_chinese_name_pinyin_and_initials(catalogue):
    for q in ("晋祠", "jinci", "JCBWG", "jin ci", "晋源区"):
        assert names(search_venues(VenueFilters(q=q))) == {"晋祠博物馆"}, q


def test_keyword_with_like_wildcards_matches_nothing_extra(catalogue):
    assert search_venues(VenueFilters(q="%")).total == 0
    assert search_venues(VenueFilters(q="_")).total == 0


def test_category_filter(catalogue):
    page = search_venues(VenueFilters(categories=[VenueCategory.SCIENCE_MUSEUM]))
    assert names(page) == {"山西省科学技术馆"}


def test_city_then_county_filter(catalogue, regions):
    assert names(search_venues(VenueFilters(city=regions["140100"]))) == {
        "晋祠博物馆",
        "山西省科学技术馆",
    }
    assert names(search_venues(VenueFilters(county=regions["140213"]))) == {"大同市博物馆"}


def test_stage_free_and_accessible_filters(catalogue):
    assert names(search_venues(VenueFilters(stage=Stage.PRESCHOOL))) == {
        "山西省科学技术馆",
        "大同市博物馆",
    }
    assert "晋祠博物馆" not in names(search_venues(VenueFilters(is_free=True)))
    assert names(search_venues(VenueFilters(is_accessible=True))) == {"山西省科学技术馆"}


def test_open_on_respects_weekly_days_and_closed_dates(catalogue):
    saturday = date(2026, 12, 5)
    monday = date(2026, 12, 7)
    assert names(search_venues(VenueFilters(open_on=saturday))) == {
        "晋祠博物馆",
        "山西省科学技术馆",
    }
    assert names(search_venues(VenueFilters(open_on=monday))) == {"大同市博物馆"}
    db.session.add(VenueClosure(venue=catalogue["science"], closed_on=saturday, reason="检修"))
    db.session.commit()
    assert names(search_venues(VenueFilters(open_on=saturday))) == {"晋祠博物馆"}


def test_near_me_sorts_by_distance_within_radius(catalogue):
    # Taiyuan railway station
    page = search_venues(VenueFilters(near=(37.8420, 112.5870), radius_km=30))
    assert [h.venue.name for h in page.hits] == ["山西省科学技术馆", "晋祠博物馆"]
    assert 4 < page.hits[0].distance_km < 6
    assert page.total == 2
    small = search_venues(VenueFilters(near=(37.8420, 112.5870), radius_km=8))
    assert names(small) == {"山西省科学技术馆"}


def test_near_me_computes_distances_only_inside_the_bounding_box(catalogue, monkeypatch):
    import webapp.services.catalogue.search as service

    measured = []
    real = service.distance_km
    monkeypatch.setattr(service, "distance_km", lambda a, b: measured.append(b) or real(a, b))
    search_venues(VenueFilters(near=(40.07, 113.34), radius_km=20))
    assert measured == [(40.0768, 113.3420)]


def test_pagination_counts_every_match(regions):
    for i in range(25):
        make_venue(regions["140105"], name=f"图书馆{i:02d}")
    db.session.commit()
    first = search_venues(VenueFilters(), page=1, per_page=10)
    third = search_venues(VenueFilters(), page=3, per_page=10)
    assert first.total == 25 and first.pages == 3
    assert len(first.hits) == 10 and len(third.hits) == 5
    assert not names(first) & names(third)


# ------------------------------------------------------------------ pages


def test_list_page_shows_filtered_venues(client, catalogue):
    response = client.get("/?q=jinci")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "晋祠博物馆" in page and "大同市博物馆" not in page
    assert "1 个场馆" in page or "1 venue" in page


def test_list_page_ignores_unusable_filters_with_a_notice(client, catalogue):
    response = client.get("/?open_on=not-a-date&city=999999&radius_km=abc&page=-3")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "晋祠博物馆" in page and "大同市博物馆" in page
    assert "已忽略" in page


def test_list_page_shows_distance_when_near(client, catalogue):
    page = client.get("/?near=37.8420,112.5870&radius_km=30").get_data(as_text=True)
    assert "km" in page and page.index("山西省科学技术馆") < page.index("晋祠博物馆")


def test_near_a_chosen_county_uses_its_centre(client, catalogue):
    page = client.get("/?near_county=140213&radius_km=20").get_data(as_text=True)
    assert "大同市博物馆" in page and "晋祠博物馆" not in page


def test_venue_page_shows_admission_hours_and_stages(client, catalogue):
    venue = catalogue["jinci"]
    page = client.get(f"/venues/{venue.id}").get_data(as_text=True)
    assert "晋祠博物馆" in page
    assert "¥60" in page and "¥30" in page
    assert "周一" in page and "闭馆" in page
    assert "初中" in page


def test_unknown_venue_gives_a_404_page(client, regions):
    response = client.get("/venues/999999")
    assert response.status_code == 404
    assert "找不到" in response.get_data(as_text=True)


def test_english_switch_is_remembered(client, catalogue):
    response = client.get("/language/en?next=/map")
    assert response.status_code == 302 and response.headers["Location"].endswith("/map")
    page = client.get("/").get_data(as_text=True)
    assert "Social practice bases in Shanxi" in page
    client.get("/language/zh")
    assert "山西社会实践教育基地" in client.get("/").get_data(as_text=True)


def test_language_switch_refuses_offsite_redirects(client, regions):
    response = client.get("/language/en?next=https://evil.example/")
    assert response.headers["Location"] == "/"
