"""Where a sign-in may lead: only the app's own pages (``routes.safe_next``).

An allow-list of the registered pages, so the bypass corpus below (the forms an outside
test and the usual open-redirect lists try) can never get through however it is
written; tests/e2e/test_redirects.py checks each in Chromium after a real sign-in.
"""

from __future__ import annotations

import pytest

from naranara import routes
from naranara.routes import safe_next
from tests.utils.redirect_payloads import BYPASSES


def test_the_corpus_is_a_corpus() -> None:
    assert len(set(BYPASSES)) >= 40


@pytest.mark.parametrize("target", BYPASSES)
def test_no_bypass_form_leaves_the_app(target: str) -> None:
    assert safe_next(target) == routes.HOME


@pytest.mark.parametrize("target", BYPASSES)
def test_no_bypass_form_passes_after_a_real_page_either(target: str) -> None:
    # Glued onto a page path, as more path or as a query string: what passes is that
    # page itself, with a query string that holds no slash, backslash or fragment.
    for glued in (f"/plan{target}", f"/plan/{target}", f"/plan?{target}"):
        kept = safe_next(glued)
        if kept == routes.HOME:
            continue
        path, _, query = kept.partition("?")
        assert kept == glued and path in ("/plan", "/plan/")
        assert not {"/", "\\", "#", "@", ":"} & set(query)


def test_the_allow_list_is_the_registered_pages() -> None:
    from reflex.constants import Page404

    import naranara.naranara  # noqa: F401 - registers every page
    from naranara.components.layout import PAGES

    # Reflex's 404 page answers unknown addresses; nobody is sent there on purpose.
    assert set(routes.PAGE_PATHS) == set(PAGES) - {Page404.SLUG}


@pytest.mark.parametrize("path", sorted(p for p in routes.PAGE_PATHS if "[" not in p))
def test_every_page_is_a_way_back(path: str) -> None:
    assert safe_next(path) == path
    assert (
        safe_next(f"{path}?invanare=3&variant=sv-lattlast")
        == f"{path}?invanare=3&variant=sv-lattlast"
    )
    if path != routes.HOME:
        assert safe_next(f"{path}/") == f"{path}/"


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/egenvard/blodtryck", "/egenvard/blodtryck"),
        ("/egenvard/blodtryck?variant=en", "/egenvard/blodtryck?variant=en"),
        ("/egenvard/[slug]", "/"),  # the pattern is no page
        ("/egenvard/Blodtryck", "/"),
        ("/egenvard/a/b", "/"),
        ("/egenvard/..", "/"),
        ("/egenvard/%2e%2e", "/"),
        (None, "/"),
        ("/" + "a" * 3000, "/"),
    ],
)
def test_an_article_is_a_page_by_its_slug_only(target: str | None, expected: str) -> None:
    assert safe_next(target) == expected


def test_sign_in_again_keeps_only_a_safe_way_back() -> None:
    assert routes.sign_in_again_path("/tider") == "/logga-in?bekrafta=1&next=%2Ftider"
    assert routes.sign_in_again_path("//evil.example") == "/logga-in?bekrafta=1&next=%2F"
