"""Bounds on requests: body size (larger only where files are uploaded), JSON nesting and
nameless form parts, each refused with a clear message instead of a server error."""

import json
from io import BytesIO

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from models import Role, db
from tests.factories import make_user

MB = 1024 * 1024
NAMELESS = b"--XX\r\nContent-Disposition: form-data\r\n\r\nhello\r\n--XX--\r\n"


@pytest.fixture
def family(app, client):
    user = make_user(role=Role.FAMILY, email="family@example.cn")
    db.session.commit()
    client.post("/auth/login", data={"login": user.email, "password": "correct horse battery"})
    return user


def test_a_big_json_booking_is_refused_with_the_api_error_shape(client, family):
    body = json.dumps({"session_id": 1, "contact_name": "x" * (2 * MB)})
    response = client.post("/api/v1/bookings?lang=en", data=body, content_type="application/json")
    assert response.status_code == 413
    assert response.json["error"] == "Request Entity Too Large"
    assert "1 MB" in response.json["message"]


def test_a_big_login_form_gets_a_clear_page_in_chinese(client):
    response = client.post("/auth/login", data={"login": "a", "password": "x" * (2 * MB)})
    assert response.status_code == 413
    text = response.get_data(as_text=True)
    assert "1 MB" in text and "超过" in text


def test_the_limit_is_a_setting(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = client.post("/auth/login", data={"login": "a", "password": "x" * 2000})
    assert response.status_code == 413


@pytest.fixture
def bureau(app, client, regions):
    user = make_user(role=Role.BUREAU_STAFF, region=regions["140100"], email="b@xd.cn")
    db.session.commit()
    client.post("/auth/login", data={"login": user.email, "password": "correct horse battery"})
    return user


def _upload(client, size: int):
    # encoded here in memory: the test client would spool a big body to an unclosed temp file
    boundary, body = encode_multipart({"file": FileStorage(BytesIO(b"x" * size), "roster.csv")})
    return client.post(
        "/lecturers/manage/import?lang=en",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def test_upload_routes_take_files_larger_than_the_site_limit(client, bureau):
    response = _upload(client, 3 * MB)
    assert response.status_code == 200, "the file is read and its problems listed"
    assert "Nothing was imported" in response.get_data(as_text=True)


def test_upload_routes_still_have_a_limit(client, bureau):
    response = _upload(client, 9 * MB)
    assert response.status_code == 413
    assert "8 MB" in response.get_data(as_text=True)


def test_deeply_nested_json_is_a_400_not_a_crash(client, family):
    response = client.post(
        "/api/v1/bookings?lang=en", data="[" * 100_000, content_type="application/json"
    )
    assert response.status_code == 400
    assert "nested too deeply" in response.json["message"]


def test_json_nested_past_the_bound_is_refused_and_within_it_is_read(client, family):
    deep = {"session_id": 1}
    for _ in range(40):
        deep = {"x": deep}
    response = client.post("/api/v1/bookings?lang=en", json=deep)
    assert response.status_code == 400 and "nested" in response.json["message"]
    shallow = client.post("/api/v1/bookings?lang=en", json={"session_id": 999_999, "x": [[1]]})
    assert shallow.status_code == 404, "an ordinary body reaches the booking rules"


@pytest.mark.parametrize("url", ["/auth/login", "/api/v1/bookings"])
def test_a_form_part_without_a_name_is_a_400(app, client, url):
    app.config["WTF_CSRF_ENABLED"] = True  # the CSRF check is what read the part and failed
    response = client.post(url, data=NAMELESS, content_type="multipart/form-data; boundary=XX")
    assert response.status_code == 400
    message = response.json["message"] if response.is_json else response.get_data(as_text=True)
    assert "名称" in message


def test_the_openapi_description_documents_the_limits_on_every_operation(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operations = [
        (method, path, operation)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict) and "responses" in operation
    ]
    assert len(operations) > 5
    for method, path, operation in operations:
        documented = set(operation["responses"])
        assert {"400", "414", "429"} <= documented, (method, path)
        if method == "post":
            assert "413" in documented, (method, path)
