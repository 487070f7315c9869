"""Images in the self-care guidance: staff upload them, everyone may see them."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from naranara import routes as paths
from naranara.db import session_scope
from naranara.http.cross_site import is_from_this_site
from naranara.http.sign_in_flow import viewer_of_request
from naranara.i18n import gettext
from naranara.inputs import record_id
from naranara.policy import Action, is_allowed
from naranara.services import guidance_images

# Read at most this much of a request: the limit plus the multipart envelope.
_MAX_REQUEST = guidance_images.MAX_BYTES + 64 * 1024


def _back(article_id: int | None, **query: str) -> RedirectResponse:
    parameters = {"artikel": str(article_id)} if article_id else {}
    target = f"{paths.GUIDANCE_EDITOR_ARTICLE}?{urlencode({**parameters, **query})}"
    return RedirectResponse(target, status_code=303)


async def upload_image(request: Request) -> Response:
    """A multipart form from the editor: staff only, from this site only (the session
    cookie is SameSite=Lax, and the Origin is checked as well)."""
    with session_scope() as db:
        viewer = viewer_of_request(db, request)
        allowed = is_allowed(viewer, Action.EDIT_GUIDANCE)
    if not allowed or not is_from_this_site(request, origin_required=True):
        return PlainTextResponse(
            gettext(viewer.locale if viewer else "sv", "Only staff can edit the self-care advice."),
            status_code=403,
        )
    article_id = record_id(request.query_params.get("artikel"))
    if int(request.headers.get("content-length") or 0) > _MAX_REQUEST:
        return _back(article_id, bildfel="storlek")
    async with request.form(max_files=1, max_fields=2, max_part_size=_MAX_REQUEST) as form:
        upload = form.get("bild")
        content = await upload.read(_MAX_REQUEST + 1) if hasattr(upload, "read") else b""
    try:
        address = guidance_images.store(content)
    except guidance_images.ImageRefused as refused:
        return _back(article_id, bildfel=refused.reason)
    return _back(article_id, bild=address.rsplit("/", 1)[-1])


async def image(request: Request) -> Response:
    """An uploaded image: public, as the published articles that show it."""
    path = guidance_images.path_of(request.path_params["name"])
    if path is None:
        return PlainTextResponse("", status_code=404)
    kind = path.suffix.lstrip(".")
    return FileResponse(
        path,
        media_type=guidance_images.MEDIA_TYPES[kind],
        headers={"Cache-Control": "public, max-age=31536000, immutable"},
    )


routes = [
    Route(paths.GUIDANCE_IMAGES + "/{name}", image, methods=["GET"]),
    Route(paths.GUIDANCE_EDITOR + "/bild", upload_image, methods=["POST"]),
]
