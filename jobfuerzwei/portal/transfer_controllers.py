"""The job-to-job exchange ("Jobdrehscheibe") in the portal: the member registers employees it must let go.

Every route acts on the logged-in contact's member only. A CSV import is checked first and shown as a preview; the
previewed text travels back in a hidden field signed with the app secret, so nothing is stored between the two
steps and the confirmation cannot smuggle in rows the member did not see.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency, Provide
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.config import Settings
from jobfuerzwei.employers import services as employers
from jobfuerzwei.employers.models import Member, MemberContact
from jobfuerzwei.i18n import N_
from jobfuerzwei.i18n import gettext as _
from jobfuerzwei.profiles import transfers, transfers_csv
from jobfuerzwei.profiles.schemas import LANGUAGE_ROWS, form_values
from jobfuerzwei.profiles.transfers_csv import MAX_CSV_BYTES, MAX_CSV_ROWS, RowResult, TransferCsvError
from jobfuerzwei.web.auth import provide_contact
from jobfuerzwei.web.pages import page, redirect

AnyRequest = Request[Any, Any, Any]
DECLARATION_ERROR = N_(
    "Bitte bestätigen Sie, dass die Personen über die Anmeldung informiert sind und Sie die Datenschutzhinweise "
    "gelesen haben."
)


async def _member(session: AsyncSession, contact: MemberContact) -> Member:
    return await employers.get_member(session, contact.member_id)


def _form_page(
    request: AnyRequest, member: Member, form: dict[str, str], errors: dict[str, str], *, status_code: int = 200
) -> Template:
    return page(
        request,
        "portal/transfer_form.html",
        status_code=status_code,
        member=member,
        nav="transfers",
        form=form,
        errors=errors,
        language_rows=LANGUAGE_ROWS,
    )


def _import_page(
    request: AnyRequest,
    member: Member,
    *,
    rows: list[RowResult] | None = None,
    file_error: str = "",
    payload: str = "",
    signature: str = "",
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    return page(
        request,
        "portal/transfer_import.html",
        status_code=status_code,
        member=member,
        nav="transfers",
        rows=rows,
        invalid=sum(1 for r in rows or [] if not r.is_valid),
        file_error=file_error,
        payload=payload,
        signature=signature,
        errors=errors or {},
        max_mb=MAX_CSV_BYTES // (1024 * 1024),
        max_rows=MAX_CSV_ROWS,
        qualifications=transfers_csv.QUALIFICATION_HINT,
        working_times=transfers_csv.WORKING_TIME_HINT,
        columns=list(transfers_csv.COLUMNS),
        required_columns=transfers_csv.REQUIRED_COLUMNS,
    )


async def _checked_rows(session: AsyncSession, member: Member, text: str) -> list[RowResult]:
    """The file's rows with the form rules and the addresses the member registered before."""
    rows = transfers_csv.parse_transfer_csv(text)
    return transfers_csv.mark_registered(rows, await transfers.registered_emails(session, member.id))


class TransferController(Controller):
    """The member's Wechselprofile: overview with figures, the single form and the CSV import."""

    path = "/portal/transfers"
    dependencies = {"contact": Provide(provide_contact)}  # noqa: RUF012  # Litestar's class attribute

    @get("/")
    async def list_transfers(
        self,
        request: AnyRequest,
        db_session: NamedDependency[AsyncSession],
        contact: NamedDependency[MemberContact],
    ) -> Template:
        """The member's job-to-job profiles and how many of its people were placed, where and how fast."""
        member = await _member(db_session, contact)
        rows = await transfers.list_transfers(db_session, member.id)
        figures = await transfers.transfer_figures(db_session, member.id, rows)
        return page(request, "portal/transfers.html", member=member, nav="transfers", rows=rows, figures=figures)

    @get("/new")
    async def new_transfer(
        self,
        request: AnyRequest,
        db_session: NamedDependency[AsyncSession],
        contact: NamedDependency[MemberContact],
    ) -> Template:
        """The empty form for one employee."""
        member = await _member(db_session, contact)
        return _form_page(request, member, {"working_time": "either"}, {})

    @post("/new")
    async def create_transfer(
        self,
        request: AnyRequest,
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        contact: NamedDependency[MemberContact],
    ) -> Response[Any]:
        """Register one employee and send the opt-in mail; wrong input comes back as typed and nothing is stored."""
        member = await _member(db_session, contact)
        form = await request.form()
        data, errors = transfers.validate_transfer_form(form)
        if "partner_email" not in errors and data["partner_email"] in await transfers.registered_emails(
            db_session, member.id
        ):
            errors["partner_email"] = _(transfers.DUPLICATE_EMAIL)
        if form.get("declaration") != "on":
            errors["declaration"] = _(DECLARATION_ERROR)
        if errors:
            return _form_page(request, member, form_values(form), errors, status_code=400)
        await transfers.register_transfer(db_session, settings, member, data, contact)
        return redirect("/portal/transfers", "transfer_registered")

    @get("/import")
    async def show_import(
        self,
        request: AnyRequest,
        db_session: NamedDependency[AsyncSession],
        contact: NamedDependency[MemberContact],
    ) -> Template:
        """The upload form with the expected columns."""
        return _import_page(request, await _member(db_session, contact))

    @post("/import")
    async def preview_import(
        self,
        request: AnyRequest,
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        contact: NamedDependency[MemberContact],
    ) -> Template:
        """Check the uploaded file and show every row with its messages; nothing is stored yet."""
        member = await _member(db_session, contact)
        upload = (await request.form()).get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            return _import_page(request, member, file_error=_("Bitte wählen Sie eine CSV-Datei aus."), status_code=400)
        content = await upload.read(MAX_CSV_BYTES + 1)
        await upload.close()
        if not upload.filename.lower().endswith(".csv"):
            message = _("Bitte laden Sie eine CSV-Datei hoch (Dateiendung .csv).")
            return _import_page(request, member, file_error=message, status_code=400)
        try:
            text = transfers_csv.decode_transfer_csv(content)
            rows = await _checked_rows(db_session, member, text)
        except TransferCsvError as exc:
            return _import_page(request, member, file_error=str(exc), status_code=400)
        payload, signature = transfers_csv.sign_csv(settings, member.id, text)
        status_code = 200 if all(r.is_valid for r in rows) else 400
        return _import_page(request, member, rows=rows, payload=payload, signature=signature, status_code=status_code)

    @post("/import/confirm")
    async def confirm_import(
        self,
        request: AnyRequest,
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        contact: NamedDependency[MemberContact],
    ) -> Response[Any]:
        """Create all previewed profiles with their mails in one transaction, or none if any row has an error."""
        member = await _member(db_session, contact)
        form = await request.form()
        payload, signature = str(form.get("payload") or ""), str(form.get("signature") or "")
        try:
            text = transfers_csv.unsign_csv(settings, member.id, payload, signature)
            rows = await _checked_rows(db_session, member, text)  # again: a colleague may have registered meanwhile
        except TransferCsvError as exc:
            return _import_page(request, member, file_error=str(exc), status_code=400)
        errors = {} if form.get("declaration") == "on" else {"declaration": _(DECLARATION_ERROR)}
        if errors or not all(r.is_valid for r in rows):
            return _import_page(
                request, member, rows=rows, payload=payload, signature=signature, errors=errors, status_code=400
            )
        await transfers_csv.import_transfers(db_session, settings, member, rows, contact)
        return redirect("/portal/transfers", "transfers_imported")


controllers: list[type[Controller]] = [TransferController]
