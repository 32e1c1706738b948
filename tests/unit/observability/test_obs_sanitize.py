import json

from jwtpizza.observability.sanitize import MASK, Sanitizer

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJpZCI6MSwibmFtZSI6ImEifQ.c2lnbmF0dXJlLXBhcnQ"
REPORT = "http://127.0.0.1:4000/api/support/f3a9c1d2e4b5/report/BAD-CHAOS-17"

clean = Sanitizer(["factory-api-key-123456"])


def test_dict_keys_of_every_secret_shape_are_masked() -> None:
    body = {
        "email": "d@jwt.com",
        "password": "diner",
        "token": "abc",
        "apiKey": "k1",
        "api_key": "k2",
        "Authorization": "Bearer xyz",
        "jwt_secret": "s",
        "client_secret": "s2",
        "refreshToken": "r",
    }
    out = clean(body)
    assert out["email"] == "d@jwt.com"
    assert all(out[k] == MASK for k in body if k != "email")


def test_nested_json_and_lists() -> None:
    out = clean({"user": {"auth": [{"password": "p"}], "name": "n"}})
    assert out == {"user": {"auth": [{"password": MASK}], "name": "n"}}


def test_json_inside_a_string() -> None:
    text = json.dumps({"email": "a@b.c", "password": "hunter2"})
    assert json.loads(clean(text)) == {"email": "a@b.c", "password": MASK}


def test_query_strings_and_free_text() -> None:
    assert clean("/api/x?token=abc123&page=2") == f"/api/x?token={MASK}&page=2"
    assert "hunter2" not in clean("login failed: password=hunter2 for a@b.c")
    assert "s3cr3t" not in clean('partial {"apiKey": "s3cr3t", "x": ')


def test_jwts_anywhere_and_bearer_headers() -> None:
    assert JWT not in clean(f"order signed {JWT} ok")
    assert clean({"pizza": JWT}) == {"pizza": MASK}
    assert clean("Authorization: Bearer opaque-token-value") == f"Authorization: {MASK} {MASK}"
    assert "opaque" not in clean("sent Bearer opaque-token-value")


def test_registered_secret_values_and_bcrypt_hashes() -> None:
    assert "factory-api-key-123456" not in clean("key factory-api-key-123456 used")
    hashed = "$2b$10$" + "a" * 53
    assert hashed not in clean(["insert", hashed])


def test_the_report_link_stays_visible_in_full() -> None:
    assert clean({"reportUrl": REPORT}) == {"reportUrl": REPORT}
    assert REPORT in clean(f"chaos! see {REPORT} then retry")
    body = json.dumps({"message": "Failed to fulfill order at factory", "reportUrl": REPORT})
    assert REPORT in clean(body)
    # even under a key that looks secret, the link survives and nothing else does
    assert clean({"supportToken": REPORT}) == {"supportToken": REPORT}


def test_non_strings_pass_through() -> None:
    assert clean({"price": 0.05, "ok": True, "n": None, "id": 3}) == {
        "price": 0.05,
        "ok": True,
        "n": None,
        "id": 3,
    }
