"""HTTP handlers (filled in by the domain's work)."""

from __future__ import annotations

from litestar import Controller

controllers: list[type[Controller]] = []
