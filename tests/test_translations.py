"""Every string the interface shows has a Chinese translation, and the compiled catalogues match.

The msgids come from the code itself (babel's extractor over webapp/, models/ and templates/,
as `pybabel extract -F babel.cfg -k _l -k lazy_gettext` would find them); the translations come
from every area's catalogue under translations/*/zh, merged as Flask-Babel merges them.
"""

import io
import re
import tokenize
from collections import defaultdict
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIRS = ("webapp", "models", "templates")
KEYWORDS = {
    "_": None,
    "_l": None,
    "gettext": None,
    "lazy_gettext": None,
    "ngettext": (1, 2),
    "lazy_ngettext": (1, 2),
}
PO_FILES = sorted(ROOT.glob("translations/*/zh/LC_MESSAGES/messages.po"))
#: a printf directive: %(name)s, %d, %%
DIRECTIVE = re.compile(r"%(?:\([^)]*\))?[#0 +-]*\d*(?:\.\d+)?[a-zA-Z%]")


def _ids(message_id) -> tuple[str, ...]:
    return (message_id,) if isinstance(message_id, str) else tuple(message_id)


def _strings(message_string) -> tuple[str, ...]:
    return (message_string,) if isinstance(message_string, str) else tuple(message_string)


def _source_messages() -> dict[str, list[str]]:
    """msgid (the singular for plurals) -> where it is used."""
    with (ROOT / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found = defaultdict(list)
    for folder in SOURCE_DIRS:
        for filename, lineno, message, _comments, _context in extract_from_dir(
            ROOT / folder, method_map, options_map, keywords=KEYWORDS
        ):
            found[_ids(message)[0]].append(f"{folder}/{filename}:{lineno}")
    return dict(found)


def _read_po(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


def _read_mo(path: Path):
    with path.open("rb") as handle:
        return read_mo(handle)


def _catalogues() -> dict[str, object]:
    return {po.parts[-4]: _read_po(po) for po in PO_FILES}


def _merged_translations() -> dict[str, dict[str, tuple[str, ...]]]:
    """msgid -> {area: translation} over all catalogues, non-empty translations only."""
    merged = defaultdict(dict)
    for area, catalogue in _catalogues().items():
        for message in catalogue:
            if message.id and all(_strings(message.string)) and not message.fuzzy:
                merged[_ids(message.id)[0]][area] = _strings(message.string)
    return merged


def test_there_is_a_catalogue_for_every_area():
    assert {po.parts[-4] for po in PO_FILES} >= {"core", "auth", "map", "booking", "lecturers"}


def test_every_string_in_the_code_has_a_chinese_translation():
    found = _source_messages()
    merged = _merged_translations()
    assert len(found) > 500, "the extractor found too few strings: is babel.cfg still there?"
    missing = {msgid: where[:2] for msgid, where in sorted(found.items()) if msgid not in merged}
    assert missing == {}


def test_no_string_is_translated_two_ways_in_different_catalogues():
    # Flask-Babel merges the catalogues in directory order and the last one wins, so two
    # different translations of one msgid would make one area's wording silently change.
    conflicts = {
        msgid: by_area
        for msgid, by_area in _merged_translations().items()
        if len(set(by_area.values())) > 1
    }
    assert conflicts == {}


@pytest.mark.parametrize("po_path", PO_FILES, ids=lambda p: p.parts[-4])
def test_compiled_catalogue_is_up_to_date_with_its_po_file(po_path):
    catalogue = _read_po(po_path)
    compiled = io.BytesIO()
    write_mo(compiled, catalogue)
    compiled.seek(0)
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path} is missing: run pybabel compile"

    def messages(mo) -> dict:
        return {
            (message.context, _ids(message.id)): _strings(message.string)
            for message in mo
            if message.id
        }

    expected = messages(read_mo(compiled))
    on_disk = messages(_read_mo(mo_path))
    stale = {
        key: (on_disk.get(key), expected.get(key))
        for key in expected.keys() | on_disk.keys()
        if on_disk.get(key) != expected.get(key)
    }
    assert stale == {}, f"{mo_path} is stale: run pybabel compile -d {po_path.parents[2]}"


@pytest.mark.parametrize("po_path", PO_FILES, ids=lambda p: p.parts[-4])
def test_translations_keep_the_placeholders_of_their_msgid(po_path):
    wrong = {}
    for message in _read_po(po_path):
        if not message.id:
            continue
        wanted = set()
        for text in _ids(message.id):
            wanted |= set(DIRECTIVE.findall(text))
        for text in _strings(message.string):
            if text and set(DIRECTIVE.findall(text)) != wanted:
                wrong[_ids(message.id)[0]] = text
    assert wrong == {}


def _gettext_calls_inside_fstrings(path: Path) -> list[str]:
    """`f"{_('…')}"`: the extractor cannot see into f-strings on Python 3.11."""
    calls = []
    tokens = tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
    for token in tokens:
        prefix = re.match(r"[A-Za-z]*", token.string).group().lower()
        if token.type == tokenize.STRING and "f" in prefix:
            if re.search(r"\b(?:_l?|gettext|lazy_gettext|ngettext)\(", token.string):
                calls.append(f"{path.relative_to(ROOT)}:{token.start[0]}")
    return calls


def test_no_translated_string_hides_inside_an_fstring():
    calls = []
    for folder in ("webapp", "models"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            calls += _gettext_calls_inside_fstrings(path)
    assert calls == []


def test_pages_are_chinese_by_default_and_english_on_request(client):
    chinese = client.get("/").get_data(as_text=True)
    assert "山西社会实践教育基地" in chinese
    english = client.get("/?lang=en").get_data(as_text=True)
    assert "Shanxi practice bases" in english
    assert "山西社会实践教育基地" not in english


def test_distance_choices_speak_the_users_language(client):
    assert "5 公里" in client.get("/").get_data(as_text=True)
    assert "5 km" in client.get("/?lang=en").get_data(as_text=True)


@pytest.mark.parametrize(
    ("lang", "text"),
    [("zh", "没有这个场馆"), ("en", "No venue with that id.")],
)
def test_api_not_found_message_follows_the_lang_parameter(client, lang, text):
    response = client.get(f"/api/v1/venues/987654?lang={lang}")
    assert response.status_code == 404
    assert response.get_json()["error"] == "Not Found"
    assert text in response.get_json()["message"]


def test_api_unknown_address_says_so_in_chinese(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert re.search(r"[\u4e00-\u9fff]", response.get_json()["message"])


def test_api_wrong_method_says_so_in_the_cookie_language(client):
    client.set_cookie("lang", "en")
    response = client.delete("/api/v1/venues")
    assert response.status_code == 405
    assert response.get_json()["message"] == "This address does not accept that kind of request."
    client.set_cookie("lang", "zh")
    assert re.search(r"[\u4e00-\u9fff]", client.delete("/api/v1/venues").get_json()["message"])


def test_api_bad_parameter_messages_are_translated(client):
    body = client.get("/api/v1/venues?page=abc").get_json()
    assert "page" in body["message"]
    assert re.search(r"[\u4e00-\u9fff]", body["message"])
    assert all(re.search(r"[\u4e00-\u9fff]", m) for m in body["errors"]["page"])
    english = client.get("/api/v1/venues?page=abc&lang=en").get_json()
    assert "Not a valid integer value." in english["errors"]["page"]


def test_lecturer_api_login_message_is_translated(client):
    body = client.get("/api/v1/lecture-requests").get_json()
    assert body["message"] == "请先登录。"
    assert client.get("/api/v1/lecture-requests?lang=en").get_json()["message"] == "Log in first."


def test_error_page_title_is_translated(client):
    page = client.post("/venues/1").get_data(as_text=True)  # GET only
    assert "Method Not Allowed" not in page
    assert "不接受" in page


def test_lecturer_pool_and_region_names_follow_the_language(client, regions):
    from models import db
    from tests.factories import make_lecturer

    make_lecturer(regions["140100"], name="王建国")
    db.session.commit()
    chinese = client.get("/lecturers/").get_data(as_text=True)
    assert "太原市家庭教育讲师团" in chinese
    english = client.get("/lecturers/?lang=en").get_data(as_text=True)
    assert "Taiyuan family-education lecturer pool" in english
    assert "太原市家庭教育讲师团" not in english


def test_account_list_names_roles_and_regions_in_the_users_language(client, auth, regions):
    from models import Role, db
    from tests.factories import make_user

    make_user(Role.ADMIN, email="admin@example.cn")
    make_user(Role.BUREAU_STAFF, email="county@example.cn", region=regions["140105"])
    db.session.commit()
    auth.login("admin@example.cn")
    chinese = client.get("/admin/users").get_data(as_text=True)
    assert "教育部门工作人员 太原市 · 小店区" in chinese
    assert "bureau_staff" not in chinese
    english = client.get("/admin/users?lang=en").get_data(as_text=True)
    assert "Bureau staff Taiyuan · Xiaodian District" in english


def test_school_signup_lists_counties_in_english_for_english_users(client, regions):
    page = client.get("/auth/signup/school?lang=en").get_data(as_text=True)
    assert "Taiyuan · Xiaodian District" in page
    assert "太原市 · 小店区" not in page
