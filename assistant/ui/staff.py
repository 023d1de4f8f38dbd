"""The staff page, /staff: what the documents did not answer and the answers people marked
wrong, each exportable as a draft eval case. It is what a staff member needs to decide which
document to add next.

There is no staff page unless EXCHANGE_STAFF_TOKEN is set (the route answers 404). With it set,
the page asks for the token (a form, or an `Authorization: Bearer TOKEN` header), compares it
in constant time, and refuses a missing or wrong one with 401. A form login leaves a cookie that
holds a keyed hash of the token, never the token. The student page never links here.
"""

from __future__ import annotations

import hashlib
import hmac
from html import escape

from fastapi import Request

from assistant.feedback import export_yaml
from assistant.unanswered import Group, draft_case, group

COOKIE = "ea_staff"
_HEADERS = {
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
_STYLE = """
:root { color-scheme: light dark; --fg:#1b2733; --bg:#fff; --muted:#55606b; --line:#d5dbe1;
        --accent:#0b3d6e; }
@media (prefers-color-scheme: dark) {
  :root { --fg:#e8edf2; --bg:#11181f; --muted:#a9b4bf; --line:#2d3a46; --accent:#8cc2ff; }
}
body { font: 16px/1.5 system-ui, sans-serif; color: var(--fg); background: var(--bg);
       max-width: 60rem; margin: 0 auto; padding: 1.5rem; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
.item { border-top: 1px solid var(--line); padding: .75rem 0; }
.meta, .empty { color: var(--muted); font-size: .9rem; }
a { color: var(--accent); } .count { font-weight: 600; }
blockquote { margin: .25rem 0 .25rem 1rem; color: var(--muted); }
label, input, button { font: inherit; } input { padding: .4rem; min-width: 18rem; }
button, a.button { display: inline-block; padding: .5rem .9rem; min-height: 44px;
       box-sizing: border-box; }
"""


class StaffPage:
    def __init__(self, service) -> None:
        self.service = service
        secret = service.settings.staff_token
        self._token = secret.get_secret_value().encode() if secret is not None else None

    # -- access -----------------------------------------------------------------------------

    def _session(self) -> str:
        return hmac.new(self._token or b"", b"exchange-assistant staff", hashlib.sha256).hexdigest()

    def _given_token(self, given: str | None) -> bool:
        return bool(self._token) and hmac.compare_digest((given or "").encode(), self._token)

    def authorized(self, request: Request) -> bool:
        auth = request.headers.get("authorization", "")
        if auth[:7].lower() == "bearer " and self._given_token(auth[7:].strip()):
            return True
        cookie = request.cookies.get(COOKIE, "")
        return bool(self._token) and hmac.compare_digest(cookie.encode(), self._session().encode())

    def mount(self, app) -> None:
        """Adds the routes to the page's FastAPI app; none while no token is set (404)."""
        if self._token is None:
            return
        app.add_api_route("/staff", self.page, methods=["GET"], include_in_schema=False)
        app.add_api_route("/staff", self.login, methods=["POST"], include_in_schema=False)
        app.add_api_route(
            "/staff/export/unanswered/{key}",
            self.export_unanswered,
            methods=["GET"],
            include_in_schema=False,
        )
        app.add_api_route(
            "/staff/export/feedback/{row_id}",
            self.export_feedback,
            methods=["GET"],
            include_in_schema=False,
        )

    # -- routes -----------------------------------------------------------------------------

    def page(self, request: Request):
        from fastapi.responses import HTMLResponse

        if not self.authorized(request):
            return HTMLResponse(_login(), status_code=401, headers=_HEADERS)
        return HTMLResponse(self.render(), headers=_HEADERS)

    async def login(self, request: Request):
        from fastapi.responses import HTMLResponse, RedirectResponse

        form = await request.form()
        if not self._given_token(str(form.get("token", ""))):
            return HTMLResponse(_login(wrong=True), status_code=401, headers=_HEADERS)
        response = RedirectResponse("/staff", status_code=303, headers=_HEADERS)
        secure = request.url.scheme == "https"
        response.set_cookie(
            COOKIE, self._session(), httponly=True, samesite="strict", path="/staff", secure=secure
        )
        return response

    def export_unanswered(self, request: Request, key: int):
        if not self.authorized(request):
            return _refused()
        found = next((g for g in self._groups() if g.key == key), None)
        if found is None:
            return _missing()
        return _yaml(draft_case(found), f"unanswered-{key:03d}.yaml")

    def export_feedback(self, request: Request, row_id: int):
        if not self.authorized(request):
            return _refused()
        store = self.service.feedback
        rows = [r for r in (store.rows("down") if store else []) if r.id == row_id]
        if not rows:
            return _missing()
        return _yaml(export_yaml(rows), f"feedback-{row_id:03d}.yaml")

    # -- content ----------------------------------------------------------------------------

    def _groups(self) -> list[Group]:
        rows = self.service.unanswered.rows()
        return group(rows, self.service.assistant.embedder.embed_documents)

    def render(self) -> str:
        days = self.service.settings.ui.unanswered_days
        groups = self._groups()
        down = self.service.feedback.rows("down") if self.service.feedback else []
        parts = [
            "<h1>Exchange Assistant: for the staff</h1>",
            "<p>What people asked that the documents did not answer, and the answers they "
            "marked wrong. Each can be exported as a draft eval case; a document that answers "
            "the most-asked questions is the one to add next.</p>",
            f"<h2>Questions the documents did not answer (last {days} days)</h2>",
        ]
        if not groups:
            parts.append('<p class="empty">None so far.</p>')
        for g in groups:
            outcomes = sorted({_OUTCOME.get(r.outcome, r.outcome) for r in g.rows})
            others = sorted({r.question for r in g.rows} - {g.question})
            missing = next((r.missing for r in g.rows if r.missing), None)
            parts.append(
                '<div class="item">'
                f'<div><span class="count">{g.count}×</span> {escape(g.question)}</div>'
                f'<div class="meta">{escape(", ".join(outcomes))}; last asked '
                f"{escape(g.rows[0].created[:10])}</div>"
                + (f"<blockquote>{escape(missing)}</blockquote>" if missing else "")
                + (
                    "<details><summary>Also asked as</summary><ul>"
                    + "".join(f"<li>{escape(q)}</li>" for q in others[:20])
                    + "</ul></details>"
                    if others
                    else ""
                )
                + f'<a class="button" href="/staff/export/unanswered/{g.key}">'
                "Export as a draft eval case</a></div>"
            )
        parts.append("<h2>Answers marked wrong</h2>")
        if not down:
            parts.append('<p class="empty">None so far.</p>')
        for r in reversed(down):
            parts.append(
                '<div class="item">'
                f"<div>{escape(r.question)}</div>"
                f"<blockquote>{escape(_clip(r.answer))}</blockquote>"
                + (f"<div>Comment: {escape(r.comment)}</div>" if r.comment else "")
                + f'<div class="meta">{escape(r.created[:10])}</div>'
                f'<a class="button" href="/staff/export/feedback/{r.id}">'
                "Export as a draft eval case</a></div>"
            )
        return _document("".join(parts))


_OUTCOME = {
    "not_covered": "not in the documents",
    "off_topic": "not about the documents",
    "partial": "answered in part",
}


def _clip(text: str, limit: int = 400) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _document(body: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Exchange Assistant: staff</title>"
        f"<style>{_STYLE}</style></head><body><main>{body}</main></body></html>"
    )


def _login(wrong: bool = False) -> str:
    note = '<p role="alert">That token is not right.</p>' if wrong else ""
    return _document(
        "<h1>Exchange Assistant: for the staff</h1>"
        f"{note}"
        '<form method="post" action="/staff">'
        '<label for="token">Staff token</label><br>'
        '<input id="token" name="token" type="password" autocomplete="current-password" '
        "required> "
        '<button type="submit">Open</button></form>'
    )


def _refused():
    from fastapi.responses import PlainTextResponse

    return PlainTextResponse("The staff token is missing or wrong.", 401, headers=_HEADERS)


def _missing():
    from fastapi.responses import PlainTextResponse

    return PlainTextResponse("Nothing was found under that number.", 404, headers=_HEADERS)


def _yaml(text: str, name: str):
    from fastapi.responses import Response

    headers = {**_HEADERS, "Content-Disposition": f'attachment; filename="{name}"'}
    return Response(text, media_type="application/yaml; charset=utf-8", headers=headers)
