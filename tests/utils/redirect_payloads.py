"""Open-redirect bypass forms: ``next`` values that a browser may resolve to another
origin. tests/unit/test_safe_next.py runs them through ``routes.safe_next``, and
tests/e2e/test_redirects.py signs in with each one in Chromium and reads where it ends.
"""

EVIL = "evil.example"

BYPASSES: tuple[str, ...] = (
    # Another host, plainly or protocol-relative.
    f"https://{EVIL}/",
    f"http://{EVIL}",
    f"//{EVIL}",
    f"//{EVIL}/plan",
    f"///{EVIL}",
    f"////{EVIL}",
    f"https:{EVIL}",
    f"https:/{EVIL}",
    f"https:///{EVIL}",
    f"HTTPS://{EVIL}",
    f" //{EVIL}",
    # Backslashes, which browsers read as slashes in special URLs.
    f"/\\{EVIL}",
    f"\\/{EVIL}",
    f"\\\\{EVIL}",
    f"/\\/{EVIL}",
    f"/plan\\..\\..\\{EVIL}",
    # Tabs and line breaks, which browsers strip from URLs.
    f"/\t/{EVIL}",
    f"/\n/{EVIL}",
    f"/\r\n/{EVIL}",
    f"/%09/{EVIL}",
    f"/%0d%0a/{EVIL}",
    f"%0d%0aLocation:%20https://{EVIL}",
    f"/%0D%0ALocation:%20https://{EVIL}",
    # Encoded slashes and backslashes.
    f"/%2F{EVIL}",
    f"/%2F%2F{EVIL}",
    f"%2F%2F{EVIL}",
    f"/%5C{EVIL}",
    f"/%5c%5c{EVIL}",
    f"/%252F%252F{EVIL}",
    # Credentials and look-alike hosts.
    f"@{EVIL}",
    f"/@{EVIL}",
    f"//localhost@{EVIL}",
    f"https://localhost@{EVIL}",
    f"//{EVIL}%2F@localhost",
    f"/.{EVIL}",
    f"//{EVIL}%00.localhost",
    f"/plan@{EVIL}",
    # Schemes that run or carry content.
    "javascript:alert(document.domain)",
    "JavaScript:alert(1)",
    "java\tscript:alert(1)",
    "javascript://%0aalert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    f"blob:https://{EVIL}/x",
    # Unicode look-alikes: full-width solidus and reverse solidus, and other slashes.
    f"／／{EVIL}",
    f"/／{EVIL}",
    f"＼＼{EVIL}",
    f"/\u2215{EVIL}",
    f"/\u2044{EVIL}",
    f"/\uff0e{EVIL}",
    f"//{EVIL}\u3002",
    # Paths that are no page, and fragments.
    "/plan/../../",
    "/../../etc/passwd",
    "/nowhere",
    f"/plan#//{EVIL}",
    f"#//{EVIL}",
    f"?next=//{EVIL}",
    "",
    " ",
)
