"""Review a written postmortem beside its incident: paste it or upload the file, see each
claim's verdict against what ops measured, and track the report's action items."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import File, Form, UploadFile
from starlette.responses import Response

from jwtpizza.web.api import ApiError
from jwtpizza.web.console.page import AdminPage, ConsolePage, console_router

router = console_router()
MAX_REPORT = 200_000


async def review_page(
    page: ConsolePage,
    incident_id: int,
    *,
    review: dict[str, Any] | None = None,
    status: int = 200,
    problem: str = "",
    markdown: str = "",
) -> Response:
    incident = await page.api.get(f"/api/ops/incidents/{incident_id}")
    return page.render(
        "review.html",
        title=f"Review a postmortem of incident #{incident_id}",
        incident=incident,
        review=review,
        status=status,
        problem=problem,
        markdown=markdown,
    )


@router.get("/incidents/{incident_id}/review")
async def review_form(page: AdminPage, incident_id: int) -> Response:
    return await review_page(page, incident_id)


async def report_text(markdown: str, upload: UploadFile | None) -> str:
    """The pasted Markdown, or the uploaded file's text; `ValueError` names what is wrong."""
    if upload is not None and upload.filename:
        data = await upload.read(MAX_REPORT + 1)
        if len(data) > MAX_REPORT:
            raise ValueError(f"the file is larger than {MAX_REPORT // 1000} kB")
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError(
                f"{upload.filename} is not a Markdown report (not UTF-8 text)"
            ) from None
    if not markdown.strip():
        raise ValueError("paste the report's Markdown or choose its file")
    return markdown


@router.post("/incidents/{incident_id}/review")
async def review(
    page: AdminPage,
    incident_id: int,
    markdown: Annotated[str, Form()] = "",
    report: Annotated[UploadFile | None, File()] = None,
) -> Response:
    try:
        text = await report_text(markdown, report)
    except ValueError as error:
        return await review_page(page, incident_id, status=400, problem=str(error))
    try:
        found = await page.api.post("/api/ops/reviews", {"markdown": text, "incident": incident_id})
    except ApiError as error:
        return await review_page(
            page, incident_id, status=error.status, problem=error.message, markdown=text
        )
    return await review_page(page, incident_id, review=found, markdown=text)


@router.post("/incidents/{incident_id}/review/actions")
async def track_actions(
    page: AdminPage, incident_id: int, markdown: Annotated[str, Form()] = ""
) -> Response:
    """Track the items of the reviewed report's Action items section."""
    try:
        text = await report_text(markdown, None)
    except ValueError as error:
        return await review_page(page, incident_id, status=400, problem=str(error))
    body = {"incident": incident_id, "markdown": text}
    try:
        await page.api.post("/api/ops/actions/from-report", body)
    except ApiError as error:
        return await review_page(
            page, incident_id, status=error.status, problem=error.message, markdown=text
        )
    return page.redirect("/actions")
