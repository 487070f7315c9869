"""Guidance articles: safe rendering of what staff write, and the reader's language first."""

from __future__ import annotations

from datetime import UTC, datetime
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from sqlmodel import Session

from naranara.services import guidance
from naranara.services.guidance import render_markdown
from tests.utils.factories import make_article

ALLOWED_TAGS = {"p", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "a", "blockquote", "br"}
# Attributes the sanitiser may leave: harmless everywhere, and a link's target and rel.
GENERIC_ATTRIBUTES = {"title", "lang"}
LINK_ATTRIBUTES = {"href", "rel"}
SAFE_SCHEMES = {"", "https", "tel", "mailto"}


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser.elements


def assert_safe(html: str) -> None:
    """Only allowed elements; no scripts, handlers, styles or non-https links."""
    lowered = html.lower()
    for dangerous in ("<script", "<iframe", "<img", "<style", "<object", "<embed", "<svg"):
        assert dangerous not in lowered, html
    for tag, attrs in elements(html):
        assert tag in ALLOWED_TAGS, html
        allowed = GENERIC_ATTRIBUTES | (LINK_ATTRIBUTES if tag == "a" else set())
        assert set(attrs) <= allowed, html
        if "href" in attrs:
            # html.parser has decoded entities; urlsplit drops tabs and newlines as browsers do.
            scheme = urlsplit((attrs["href"] or "").strip()).scheme.lower()
            assert scheme in SAFE_SCHEMES, html


@pytest.mark.parametrize(
    "unsafe",
    [
        '<a href="javascript:alert(1)">x</a>',
        '<a href="https://www.1177.se" onclick="alert(1)">x</a>',
        '<p style="position:fixed">x</p>',
        "<script>alert(1)</script>",
        '<iframe src="https://example.com"></iframe>',
        "<h1>x</h1>",
        '<a href="data:text/html,x">x</a>',
    ],
)
def test_the_safety_check_itself_catches_unsafe_html(unsafe: str) -> None:
    with pytest.raises(AssertionError):
        assert_safe(unsafe)


XSS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](java&#x09;script:alert(1))",
    "[x](<javascript:alert(1)>)",
    "<javascript:alert(1)>",
    "[x][ref]\n\n[ref]: javascript:alert(1)",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](data:image/png;base64,iVBORw0KGgo=)",
    "[x](file:///etc/passwd)",
    "<img src=x onerror=alert(1)>",
    "![x](https://evil.example/x.png)",
    '![x](x" onerror="alert(1))',
    '<a href="jAvAsCrIpT:alert(1)">y</a>',
    '<a href="https://www.1177.se" onmouseover="alert(1)">y</a>',
    '<p style="background:url(javascript:alert(1))">y</p>',
    '<div style="position:fixed;inset:0">y</div>',
    '<iframe src="https://evil.example"></iframe>',
    '<svg onload="alert(1)"></svg>',
    '<object data="https://evil.example/x.swf"></object>',
    "<style>body{display:none}</style>",
    '[x](https://www.1177.se "title\\" onmouseover=\\"alert(1)")',
    "**<script>alert(1)</script>**",
    "- <img src=x onerror=alert(1)>\n- [x](javascript:alert(1))",
    "<details open ontoggle=alert(1)>",
]


@pytest.mark.parametrize("source", XSS)
def test_rendered_markdown_has_no_way_to_run_script(source: str) -> None:
    html = render_markdown(source)
    assert_safe(html)


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '<a href="jAvAsCrIpT:alert(1)">y</a>',
        '<iframe src="https://evil.example"></iframe>',
    ],
)
def test_raw_html_is_shown_as_text_not_as_markup(source: str) -> None:
    html = render_markdown(source)
    assert elements(html) == [("p", {})]


def test_javascript_link_does_not_become_a_link() -> None:
    html = render_markdown("[x](javascript:alert(1))")
    assert all(tag != "a" for tag, _ in elements(html))
    # What was written stays readable, as plain text in a paragraph.
    assert html == "<p>[x](javascript:alert(1))</p>\n"


def test_links_other_than_https_tel_and_mailto_lose_their_target() -> None:
    for source in ("[x](http://example.com)", "[x](data:image/png;base64,iVBORw0KGgo=)"):
        links = [attrs for tag, attrs in elements(render_markdown(source)) if tag == "a"]
        assert links == [{"rel": "noopener noreferrer"}], source


def test_headings_lists_emphasis_quotes_and_safe_links_are_kept() -> None:
    html = render_markdown(
        "## Så gör du\n\n"
        "### Steg\n\n"
        "- Väg dig **varje morgon**\n"
        "- Skriv *upp* vikten\n\n"
        "1. Först\n"
        "2. Sedan\n\n"
        "> Ring 112 vid fara.\n\n"
        "Läs mer på [1177](https://www.1177.se/hjartsvikt), ring [1177](tel:1177) "
        "eller mejla [oss](mailto:vard@example.se).\n"
    )
    assert "<h2>Så gör du</h2>" in html
    assert "<h3>Steg</h3>" in html
    assert "<ul>\n<li>Väg dig <strong>varje morgon</strong></li>" in html
    assert "<li>Skriv <em>upp</em> vikten</li>" in html
    assert "<ol>\n<li>Först</li>\n<li>Sedan</li>\n</ol>" in html
    assert "<blockquote>\n<p>Ring 112 vid fara.</p>\n</blockquote>" in html
    links = [attrs for tag, attrs in elements(html) if tag == "a"]
    assert links == [
        {"href": "https://www.1177.se/hjartsvikt", "rel": "noopener noreferrer"},
        {"href": "tel:1177", "rel": "noopener noreferrer"},
        {"href": "mailto:vard@example.se", "rel": "noopener noreferrer"},
    ]
    assert_safe(html)


def test_text_is_escaped_not_interpreted() -> None:
    html = render_markdown("Blodtryck < 140 & puls > 50")
    assert html == "<p>Blodtryck &lt; 140 &amp; puls &gt; 50</p>\n"


# --- finding articles ------------------------------------------------------------------------


@pytest.fixture
def library(db: Session) -> None:
    make_article(db, slug="vag-dig", locale="sv", title="Väg dig", category="hjartsvikt")
    make_article(db, slug="vag-dig", locale="en", title="Weigh yourself", category="hjartsvikt")
    make_article(db, slug="promenera", locale="sv", title="promenera", category="rorelse")
    make_article(
        db,
        slug="promenera",
        locale="en",
        title="Walk (draft)",
        category="rorelse",
        published_at=None,
    )
    make_article(db, slug="sov", locale="sv", title="Sov bättre", published_at=None)
    make_article(db, slug="english-only", locale="en", title="Only in English")
    make_article(db, slug="deutsch", locale="de", title="Nur auf Deutsch")
    make_article(db, slug="balans", locale="sv", title="Balans", category="rorelse")
    db.commit()


def titles(articles) -> list[str]:  # noqa: ANN001 - a list of GuidanceArticle
    return [article.title for article in articles]


@pytest.mark.usefixtures("library")
def test_swedish_reader_gets_published_swedish_articles_by_title(db: Session) -> None:
    articles = guidance.published_articles(session=db, locale="sv")
    # Sorted without regard to case: "Balans", "promenera", "Väg dig".
    assert titles(articles) == ["Balans", "promenera", "Väg dig"]
    assert {article.locale for article in articles} == {"sv"}


@pytest.mark.usefixtures("library")
def test_english_reader_gets_english_where_published_and_swedish_otherwise(db: Session) -> None:
    articles = guidance.published_articles(session=db, locale="en")
    assert sorted((a.slug, a.locale) for a in articles) == [
        ("balans", "sv"),
        ("english-only", "en"),
        ("promenera", "sv"),  # the English version is a draft
        ("vag-dig", "en"),
    ]
    assert titles(articles) == ["Balans", "Only in English", "promenera", "Weigh yourself"]


@pytest.mark.usefixtures("library")
def test_one_article_per_slug_and_no_unpublished_ones(db: Session) -> None:
    # Each reader's own language where there is one, Swedish for the rest; "sov" and
    # the English "promenera" are drafts.
    expected = {
        "sv": ["balans", "promenera", "vag-dig"],
        "en": ["balans", "english-only", "promenera", "vag-dig"],
        "de": ["balans", "deutsch", "promenera", "vag-dig"],
    }
    for locale, published in expected.items():
        articles = guidance.published_articles(session=db, locale=locale)
        slugs = [a.slug for a in articles]
        assert sorted(slugs) == published, locale
        assert len(slugs) == len(set(slugs)), locale
        assert all(a.published_at is not None for a in articles), locale
        assert "sov" not in slugs, locale


@pytest.mark.usefixtures("library")
def test_articles_by_category(db: Session) -> None:
    articles = guidance.published_articles(session=db, locale="en", category="rorelse")
    assert titles(articles) == ["Balans", "promenera"]
    assert guidance.published_articles(session=db, locale="sv", category="okand") == []


ARTICLE_BY_SLUG = [
    ("vag-dig", "sv", ("sv", "Väg dig")),
    ("vag-dig", "en", ("en", "Weigh yourself")),
    ("promenera", "en", ("sv", "promenera")),  # English draft: Swedish instead
    ("balans", "en", ("sv", "Balans")),
    ("deutsch", "de", ("de", "Nur auf Deutsch")),
    ("vag-dig", "de", ("sv", "Väg dig")),
    ("english-only", "en", ("en", "Only in English")),
    ("english-only", "sv", None),
    ("sov", "sv", None),  # unpublished
    ("finns-inte", "sv", None),
]


@pytest.mark.usefixtures("library")
def test_article_by_slug(db: Session) -> None:
    found = {}
    for slug, locale, _ in ARTICLE_BY_SLUG:
        article = guidance.article_by_slug(session=db, slug=slug, locale=locale)
        found[slug, locale] = None if article is None else (article.locale, article.title)
    assert found == {(slug, locale): expected for slug, locale, expected in ARTICLE_BY_SLUG}


def test_an_article_scheduled_for_later_is_not_yet_shown(db: Session) -> None:
    make_article(db, slug="snart", title="Snart", published_at=datetime(2099, 1, 1, tzinfo=UTC))
    make_article(db, slug="nu", title="Nu")
    db.commit()
    assert titles(guidance.published_articles(session=db, locale="sv")) == ["Nu"]
    assert guidance.article_by_slug(session=db, slug="snart", locale="sv") is None


def test_easy_to_read_texts_keep_their_line_breaks_other_texts_do_not() -> None:
    # Lättläst puts each sentence on a line of its own; Markdown would run them together.
    assert render_markdown("Väg dig.\nSkriv upp.", line_breaks=True) == (
        "<p>Väg dig.<br>\nSkriv upp.</p>\n"
    )
    assert "<br>" not in render_markdown("Väg dig.\nSkriv upp.")
    assert "<script" not in render_markdown("Ett.\n<script>x</script>", line_breaks=True)
