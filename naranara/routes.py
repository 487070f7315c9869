"""Every page path in one place (Swedish, as residents see them in the address bar),
and the URL builders that states and HTTP routes share."""

from __future__ import annotations

import re
from urllib.parse import urlencode

HOME = "/"
AGREED_TIMES = "/tider"
CONTACTS = "/kontakter"
GUIDANCE = "/egenvard"
PROFILE = "/profil"
SIGN_IN = "/logga-in"
WELCOME = "/valkommen"


# One article, by its slug (the only page with a part of its path that varies).
ARTICLE = GUIDANCE + "/[slug]"


def article(slug: str) -> str:
    return f"{GUIDANCE}/{slug}"


# "Vad är viktigt för dig?": overview, guided first fill, history, printable summary.
WHAT_MATTERS = "/viktigt"
WHAT_MATTERS_GUIDE = "/viktigt/fyll-i"
WHAT_MATTERS_HISTORY = "/viktigt/historik"
WHAT_MATTERS_SUMMARY = "/viktigt/sammanfattning"
WHAT_MATTERS_SUMMARY_PDF = WHAT_MATTERS_SUMMARY + ".pdf"  # http/profile_routes.py
# The coordinated plan (sammanhållen plan / SIP).
CARE_PLAN = "/plan"
# The resident's whole record as a FHIR R4 bundle (http/fhir_routes.py).
FHIR_EXPORT = "/export/fhir.json"
# Adding and changing contacts and agreed times (?kontakt=ID / ?tid=ID picks the row).
CONTACT_NEW = "/kontakter/ny"
CONTACT_EDIT = "/kontakter/andra"
AGREED_TIME_NEW = "/tider/ny"
AGREED_TIME_EDIT = "/tider/andra"

# Staff: the residents they have a care relationship with.
MY_RESIDENTS = "/mina-invanare"

# Egenvård, the resident's own part: tasks adopted from articles, and measurements.
SELF_CARE_PLAN = "/egenvard/mina-uppgifter"
SELF_CARE_TASK_NEW = "/egenvard/ny-uppgift"  # ?artikel=SLUG&mall=KEY picks the template
SELF_CARE_TASK = "/egenvard/uppgift"  # ?uppgift=ID: one task's history and streak
MEASUREMENTS = "/matvarden"
MEASUREMENTS_CSV = "/export/matvarden.csv"

# Staff: writing, reviewing and publishing the self-care guidance.
GUIDANCE_EDITOR = "/redaktion"
GUIDANCE_EDITOR_ARTICLE = "/redaktion/artikel"  # ?artikel=ID (or ?ny=1&slug=…&variant=…)
# Images staff upload for articles (http/guidance_routes.py): /bilder/egenvard/<sha256>.<ext>
GUIDANCE_IMAGES = "/bilder/egenvard"

# Profil → Aviseringar: devices, quiet hours, lock-screen text.
NOTIFICATIONS = "/profil/aviseringar"

# Relatives (ombud): the resident's grants, invitations, the access log; the relative's view.
RELATIVES = "/profil/narstaende"
INVITATION = "/inbjudan"  # ?kod=CODE: a relative accepts
ACCESS_LOG = "/profil/vem-har-sett"
ACTING_FOR = "/jag-hjalper"

# Care units and enrolment (issue 13): staff enrol residents, residents activate.
ENROL = "/mina-invanare/ny"  # a nurse enrols a resident; the activation sheet
RESIDENT_OVERVIEW = "/mina-invanare/invanare"  # ?invanare=ID: one resident, for staff
ACTIVATION = "/aktivera"  # ?kod=CODE: the resident activates her account
CARE_SHARING = "/profil/dela-med-varden"  # what the resident lets her care unit follow
ADMIN = "/admin"  # care units and staff accounts
ADMIN_STAFF = "/admin/personal"  # ?konto=ID: one staff account

# Every page the app registers (components/layout.page): the only places a redirect after
# signing in may lead to (``safe_next``). tests/unit/test_safe_next.py holds this set
# equal to the registered pages, so a new page is added here or the test fails.
PAGE_PATHS = frozenset(
    {
        HOME,
        AGREED_TIMES,
        CONTACTS,
        GUIDANCE,
        PROFILE,
        SIGN_IN,
        WELCOME,
        ARTICLE,
        WHAT_MATTERS,
        WHAT_MATTERS_GUIDE,
        WHAT_MATTERS_HISTORY,
        WHAT_MATTERS_SUMMARY,
        CARE_PLAN,
        CONTACT_NEW,
        CONTACT_EDIT,
        AGREED_TIME_NEW,
        AGREED_TIME_EDIT,
        MY_RESIDENTS,
        SELF_CARE_PLAN,
        SELF_CARE_TASK_NEW,
        SELF_CARE_TASK,
        MEASUREMENTS,
        GUIDANCE_EDITOR,
        GUIDANCE_EDITOR_ARTICLE,
        NOTIFICATIONS,
        RELATIVES,
        INVITATION,
        ACCESS_LOG,
        ACTING_FOR,
        ENROL,
        RESIDENT_OVERVIEW,
        ACTIVATION,
        CARE_SHARING,
        ADMIN,
        ADMIN_STAFF,
    }
)
# A varying part of a page path ("[slug]"): what a slug may be, nothing more.
_SEGMENT = re.compile(r"[a-z0-9][a-z0-9-]{0,99}")
# What a query string after such a path may hold: letters, digits and the characters
# of a percent-encoded query. No "#", no backslash, no space, tab or control character.
_QUERY = re.compile(r"[A-Za-z0-9\-._~%=&+]*")


def _is_page(path: str) -> bool:
    if path != HOME and path.endswith("/"):
        path = path[:-1]  # the exported pages answer with and without a trailing slash
    if path in PAGE_PATHS and "[" not in path:
        return True
    parts = path.split("/")
    for pattern in PAGE_PATHS:
        pattern_parts = pattern.split("/")
        if len(pattern_parts) != len(parts) or "[" not in pattern:
            continue
        if all(
            _SEGMENT.fullmatch(part) if wanted.startswith("[") else part == wanted
            for wanted, part in zip(pattern_parts, parts, strict=True)
        ):
            return True
    return False


def safe_next(target: str | None) -> str:
    """Where to go after signing in (or out): a page of this app, or the home page.

    An allow-list, not a filter: the path must be one of ``PAGE_PATHS`` (a slug where a
    page has one), optionally followed by a plain query string. Whatever a browser
    might read as another origin — a scheme, ``//``, a backslash, an encoded slash, a
    tab or line break it strips, ``@``, a full-width solidus — is no page path, so it
    can never get through however it is written (tests/unit/test_safe_next.py, and
    tests/e2e/test_redirects.py signs in with each form in Chromium).
    """
    if not target or not isinstance(target, str) or len(target) > 2000:
        return HOME
    path, mark, query = target.partition("?")
    if not _is_page(path) or (mark and not _QUERY.fullmatch(query)):
        return HOME
    return target


CONFIRM_PARAMETER = "bekrafta"  # on the sign-in page: "sign in again to go on"


def sign_in_again_path(target: str) -> str:
    """Where ``policy.SignInAgain`` sends a person: the sign-in page, then back to ``target``."""
    return f"{SIGN_IN}?{urlencode({CONFIRM_PARAMETER: '1', 'next': safe_next(target)})}"


# Nära without signal (issue 15): the page the service worker shows when a page cannot
# load, the resident's offline copy (JSON), and check-offs sent once the network is back.
OFFLINE = "/utan-nat"
OFFLINE_COPY = "/utan-nat/kopia"
OFFLINE_CHECK_OFFS = "/utan-nat/avbockningar"
OFFLINE_ARTICLES = "/utan-nat/artikel"  # /<variant>/<slug>: one published article as JSON


def offline_article(slug: str, variant: str) -> str:
    """Where the service worker keeps an article for reading without a network."""
    return f"{OFFLINE_ARTICLES}/{variant}/{slug}"


# Profil → Spara på den här telefonen is a section of the profile page.

# Sign-in through an identity provider (http/oidc_routes.py).
OIDC_PREFIX = "/auth/oidc"
OIDC_ACTIVATION_PARAMETER = "aktivering"  # ?aktivering=CODE: activate while signing in


def oidc_login(provider_name: str) -> str:
    return f"{OIDC_PREFIX}/{provider_name}/login"


# The agreed times as a calendar others subscribe to (http/calendar_routes.py).
CALENDAR_FEED = "/kalender/prenumeration/{token}.ics"


def calendar_feed(token: str) -> str:
    return CALENDAR_FEED.format(token=token)
