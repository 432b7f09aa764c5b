"""Demo offers from ``fixtures/offers.json`` (loaded by ``jobfuerzwei.demo`` together with the demo network)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from jobfuerzwei.employers.models import Member, MemberContact
from jobfuerzwei.offers.models import Offer, OfferCategory, OfferStatus, ProviderType

OFFERS_FILE = Path(__file__).resolve().parents[2] / "fixtures" / "offers.json"


def read_offers(path: Path = OFFERS_FILE) -> list[dict[str, Any]]:
    """The raw offer records."""
    records: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))["offers"]
    return records


def demo_offers(
    records: list[dict[str, Any]],
    members: dict[str, Member],
    contacts: dict[str, MemberContact],
    now: dt.datetime,
) -> list[Offer]:
    """Offer rows for the records; members are named, contacts given by address (a typo raises ``KeyError``)."""
    offers = []
    for data in records:
        member = members[data["member"]] if "member" in data else None
        contact = contacts[data["submitted_by"]] if "submitted_by" in data else None
        submitted = now - dt.timedelta(days=data.get("submitted_days_ago", data.get("published_days_ago", 0)))
        published = now - dt.timedelta(days=data["published_days_ago"]) if "published_days_ago" in data else None
        valid = data.get("valid_in_days")
        offer = Offer(
            provider_name=data["provider_name"],
            provider_type=ProviderType(data["provider_type"]),
            member_id=member.id if member else None,
            category=OfferCategory(data["category"]),
            title=data["title"],
            description=data["description"],
            place=data["place"],
            languages=data.get("languages", []),
            link=data.get("link", ""),
            contact=data.get("contact", ""),
            valid_until=(now + dt.timedelta(days=valid)).date() if valid is not None else None,
            status=OfferStatus(data["status"]),
            submitted_at=submitted if contact else None,
            submitted_by_id=contact.id if contact else None,
            published_at=published,
            moderated_at=published,
        )
        offer.created_at = submitted
        offer.updated_at = published or submitted
        offers.append(offer)
    return offers
