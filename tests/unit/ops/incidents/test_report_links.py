"""Report links in log records, and which of them are on the configured factory."""

from __future__ import annotations

from jwtpizza.ops.incidents.feed_parsing import report_links_in, same_origin

FACTORY = "http://127.0.0.1:4000"


def test_report_links_are_found_anywhere_in_a_record() -> None:
    link = f"{FACTORY}/api/support/abc123/report/FIX42"
    record = {"msg": "order failed", "res": {"body": {"followLinkToEndChaos": link}}}
    assert report_links_in(record) == [link]
    assert report_links_in({"msg": "see javascript:alert(1)/api/support/x/report/y"}) == []


def test_only_the_factorys_scheme_host_and_port_count() -> None:
    assert same_origin(f"{FACTORY}/api/support/a/report/B", FACTORY)
    for other in ("http://127.0.0.1:4001/api/support/a/report/B",
                  "https://127.0.0.1:4000/api/support/a/report/B",
                  "http://evil.example/api/support/a/report/B?x=http://127.0.0.1:4000",
                  "http://127.0.0.1:4000@evil.example/api/support/a/report/B",
                  "http://127.0.0.1:99999/api/support/a/report/B"):  # fmt: skip
        assert not same_origin(other, FACTORY), other
