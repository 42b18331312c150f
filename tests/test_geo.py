import pytest

from webapp.services import geo


@pytest.mark.parametrize(
    "address, adcode",
    [
        ("山西省大同市云州区西坪镇", "140215"),
        ("太原市小店区长风街", "140105"),
        ("阳泉市城区南大街", "140302"),  # 城区 is also a name elsewhere: the city settles it
        ("晋城市城区凤台东街", "140502"),
        ("山西省吕梁市文水县云周西村", "141121"),
        ("武乡县太行街", "140429"),  # the short form without the city
    ],
)
def test_an_address_is_matched_to_its_county_offline(regions, address, adcode):
    assert geo.match_county(address).adcode == adcode


def test_an_address_naming_no_county_matches_nothing(regions):
    assert geo.match_county("北京市海淀区中关村") is None


def test_without_a_geocoder_the_county_centre_is_used_and_marked_approximate(regions):
    placed = geo.place_address("山西省大同市云州区西坪镇")
    county = regions["140215"]
    assert (placed.lat, placed.lng, placed.is_approximate) == (county.lat, county.lng, True)


def test_a_configured_geocoder_gives_exact_coordinates(app, regions, monkeypatch):
    app.config["GEOCODER"] = "nominatim"
    monkeypatch.setattr(geo, "_geocode_online", lambda address: (40.1, 113.4))
    placed = geo.place_address("山西省大同市云州区西坪镇")
    assert (placed.lat, placed.lng, placed.is_approximate) == (40.1, 113.4, False)
    assert placed.county.adcode == "140215"


def test_a_geocoder_that_fails_falls_back_to_the_county_centre(app, regions, monkeypatch):
    from geopy.exc import GeocoderUnavailable

    class Failing:
        def __init__(self, **kwargs):
            pass

        def geocode(self, address):
            raise GeocoderUnavailable("no network")

    app.config["GEOCODER"] = "nominatim"
    monkeypatch.setattr("geopy.geocoders.get_geocoder_for_service", lambda name: Failing)
    placed = geo.place_address("太原市小店区长风街")
    assert placed.is_approximate and placed.county.adcode == "140105"


def test_distance_and_bounding_box(app):
    taiyuan, datong = (37.8706, 112.5489), (40.0768, 113.3000)
    assert 250 < geo.distance_km(taiyuan, datong) < 260
    min_lat, max_lat, min_lng, max_lng = geo.bounding_box(*taiyuan, 20)
    assert min_lat < taiyuan[0] < max_lat and min_lng < taiyuan[1] < max_lng
    assert geo.distance_km(taiyuan, (max_lat, taiyuan[1])) == pytest.approx(20, rel=0.01)
