"""The offer form (member portal and coordinator) and the reject reason: hand validation, messages per field."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

from jobfuerzwei.employers.models import Member
from jobfuerzwei.i18n import gettext as _
from jobfuerzwei.offers.models import ONLINE, REGIONWIDE, Offer, OfferCategory, ProviderType
from jobfuerzwei.web.labels import label

FIELDS = (
    "provider_name",
    "provider_type",
    "member_id",
    "category",
    "title",
    "description",
    "place",
    "languages",
    "link",
    "contact",
    "valid_until",
)
"""Form fields; a member's form has no ``provider_name``, ``provider_type`` and ``member_id`` (its own)."""
MAX_LANGUAGES = 12
_LIMITS = {"provider_name": 200, "title": 200, "description": 4000, "place": 120, "link": 500, "contact": 300}
_PLACE_ALIASES = {
    "regionweit": REGIONWIDE,
    "region": REGIONWIDE,
    "ganze region": REGIONWIDE,
    "online": ONLINE,
}
_SPLIT = re.compile(r"[\n;,]+")
_HOST = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$")


@dataclass(frozen=True)
class OfferData:
    """Clean values of a valid offer form (keys are ``Offer`` columns)."""

    category: OfferCategory
    title: str
    description: str
    place: str
    languages: list[str]
    link: str
    contact: str
    valid_until: dt.date | None
    provider_name: str = ""
    provider_type: ProviderType = ProviderType.MEMBER
    member_id: UUID | None = None


def category_choices() -> list[tuple[str, str]]:
    """``(value, label)`` of the categories, in page order."""
    return [(c.value, label("offer_category", c.value)) for c in OfferCategory]


def provider_choices() -> list[tuple[str, str]]:
    """``(value, label)`` of the provider types."""
    return [(p.value, label("provider_type", p.value)) for p in ProviderType]


def form_values(form: Mapping[str, Any]) -> dict[str, str]:
    """The typed values, for re-rendering the form."""
    return {name: str(form.get(name) or "") for name in FIELDS}


def offer_form_values(offer: Offer) -> dict[str, str]:
    """The form values of a stored offer (to prefill the edit form)."""
    return {
        "provider_name": offer.provider_name,
        "provider_type": str(offer.provider_type),
        "member_id": str(offer.member_id) if offer.member_id else "",
        "category": str(offer.category),
        "title": offer.title,
        "description": offer.description,
        "place": offer.place,
        "languages": ", ".join(offer.languages),
        "link": offer.link,
        "contact": offer.contact,
        "valid_until": offer.valid_until.isoformat() if offer.valid_until else "",
    }


def _one_line(value: str) -> str:
    return " ".join(value.split())


def is_https_url(value: str) -> bool:
    """An absolute ``https://`` address with a plausible host and no credentials or spaces."""
    if any(c.isspace() for c in value) or not value.lower().startswith("https://"):
        return False
    try:
        parts = urlsplit(value)
        port = parts.port  # raises for a port that is not a number
    except ValueError:
        return False
    host = (parts.hostname or "").lower()
    if parts.username is not None or parts.password is not None or port == 0:
        return False
    return bool(_HOST.match(host))


def _date(raw: str, errors: dict[str, str], today: dt.date) -> dt.date | None:
    if not raw:
        return None
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            value = dt.datetime.strptime(raw, fmt).date()  # noqa: DTZ007  # a calendar date, no time zone
        except ValueError:
            continue
        if value < today:
            errors["valid_until"] = _("Das Datum liegt in der Vergangenheit. Bitte wählen Sie heute oder später.")
            return None
        if value.year > today.year + 10:
            break
        return value
    errors["valid_until"] = _("Bitte geben Sie ein gültiges Datum ein (TT.MM.JJJJ).")
    return None


def _languages(raw: str, errors: dict[str, str]) -> list[str]:
    seen: set[str] = set()
    languages: list[str] = []
    for part in _SPLIT.split(raw):
        name = _one_line(part)
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            languages.append(name[:1].upper() + name[1:])
    if len(languages) > MAX_LANGUAGES:
        errors["languages"] = _("Bitte nennen Sie höchstens %(n)s Sprachen.") % {"n": MAX_LANGUAGES}
    elif any(len(language) > 40 for language in languages):
        errors["languages"] = _("Ein Eintrag ist zu lang (höchstens 40 Zeichen je Sprache).")
    return languages


def _place(raw: str) -> str:
    return _PLACE_ALIASES.get(raw.casefold(), raw)


def _provider(
    values: dict[str, str], errors: dict[str, str], members: Iterable[Member]
) -> tuple[str, ProviderType, UUID | None]:
    """Provider name, type and the optional member link of the coordinator's form."""
    member_id: UUID | None = None
    if values["member_id"]:
        member = next((m for m in members if str(m.id) == values["member_id"]), None)
        if member is None:
            errors["member_id"] = _("Bitte wählen Sie ein Mitglied aus der Liste oder „kein Mitglied“.")
        else:
            member_id = member.id
    provider_type = ProviderType.MEMBER if member_id else ProviderType.OTHER
    if values["provider_type"] in {p.value for p in ProviderType}:
        provider_type = ProviderType(values["provider_type"])
    else:
        errors["provider_type"] = _("Bitte wählen Sie die Art des Anbieters aus der Liste.")
    if provider_type == ProviderType.MEMBER and member_id is None and "member_id" not in errors:
        errors["member_id"] = _("Bitte wählen Sie das Mitglied, das dieses Angebot macht.")
    if not values["provider_name"]:
        errors["provider_name"] = _("Bitte nennen Sie den Anbieter, z. B. „Agentur für Arbeit Aalen“.")
    return values["provider_name"], provider_type, member_id


def validate_offer_form(
    form: Mapping[str, Any], *, today: dt.date, members: Iterable[Member] | None = None
) -> tuple[OfferData | None, dict[str, str]]:
    """Check the offer form; ``members`` given means the coordinator's form (with provider fields).

    Returns:
        ``(data, errors)``: clean values (or ``None``) and ``errors: field -> message``.
    """
    raw = form_values(form)
    values = {
        name: (value.replace("\r\n", "\n").strip() if name == "description" else _one_line(value))
        for name, value in raw.items()
    }
    errors: dict[str, str] = {}
    for name, limit in _LIMITS.items():
        if len(values[name]) > limit:
            errors[name] = _("Bitte höchstens %(n)s Zeichen eingeben.") % {"n": limit}
    provider_name, provider_type, member_id = "", ProviderType.MEMBER, None
    if members is not None:
        provider_name, provider_type, member_id = _provider(values, errors, list(members))
    if values["category"] not in {c.value for c in OfferCategory}:
        errors["category"] = _("Bitte wählen Sie eine Kategorie aus der Liste.")
    if not values["title"]:
        errors["title"] = _("Bitte geben Sie dem Angebot einen Titel.")
    if not values["description"]:
        errors["description"] = _("Bitte beschreiben Sie das Angebot: was, für wen, wie oft, was es kostet.")
    place = _place(values["place"])
    if not place:
        errors["place"] = _("Bitte nennen Sie den Ort (Gemeinde), „regionweit“ oder „online“.")
    languages = _languages(values["languages"], errors)
    if values["link"] and not is_https_url(values["link"]) and "link" not in errors:
        errors["link"] = _("Bitte geben Sie eine vollständige, sichere Adresse an, die mit https:// beginnt.")
    if not values["link"] and not values["contact"]:
        errors["contact"] = _(
            "Bitte geben Sie einen Link oder eine Kontaktmöglichkeit an, damit Interessierte Sie erreichen."
        )
    valid_until = _date(values["valid_until"], errors, today)
    if errors:
        return None, errors
    return (
        OfferData(
            category=OfferCategory(values["category"]),
            title=values["title"],
            description=values["description"],
            place=place,
            languages=languages,
            link=values["link"],
            contact=values["contact"],
            valid_until=valid_until,
            provider_name=provider_name,
            provider_type=provider_type,
            member_id=member_id,
        ),
        {},
    )


def validate_reason(form: Mapping[str, Any]) -> tuple[str, dict[str, str]]:
    """The reason for a rejected offer (mailed to the member contact who submitted it)."""
    reason = str(form.get("reason") or "").replace("\r\n", "\n").strip()
    if not reason:
        return "", {"reason": _("Bitte begründen Sie die Ablehnung; die Begründung geht per E-Mail an das Mitglied.")}
    if len(reason) > 2000:
        return reason, {"reason": _("Bitte höchstens 2.000 Zeichen.")}
    return reason, {}
