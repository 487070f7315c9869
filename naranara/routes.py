"""Every page path and URL builder in one place (Swedish, as residents see them in the
address bar): states, pages and HTTP routes all take their addresses from here."""

HOME = "/"
AGREED_TIMES = "/tider"
CONTACTS = "/kontakter"
GUIDANCE = "/egenvard"
PROFILE = "/profil"
SIGN_IN = "/logga-in"
WELCOME = "/valkommen"


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

# Sign-in through an identity provider (http/oidc_routes.py), and the sign-in page's
# "sign in again to go on" (http/auth_routes.py).
OIDC_PREFIX = "/auth/oidc"
OIDC_ACTIVATION_PARAMETER = "aktivering"  # ?aktivering=CODE: activate while signing in
SIGN_IN_CONFIRM_PARAMETER = "bekrafta"


def oidc_login(provider_name: str) -> str:
    return f"{OIDC_PREFIX}/{provider_name}/login"


# The agreed times as a calendar others subscribe to (http/calendar_routes.py).
CALENDAR_FEED = "/kalender/prenumeration/{token}.ics"


def calendar_feed(token: str) -> str:
    return CALENDAR_FEED.format(token=token)
