"""Garbage-collector settings for the long-running processes (web app and outbox worker).

A full collection walks every tracked object. Without tuning, the frameworks (Litestar, SQLAlchemy, Jinja2) and
the occupation catalogue with its search index (about 250,000 objects together) were walked again and again:

- a request that creates many objects (a circulation to 1,000 members) triggered full collections that added
  50-150 ms;
- under load at national size each full collection paused every request for about 150 ms, the largest part of the
  dashboard's p99.

Frozen (``gc.freeze``), these objects stay out of every later collection (a full collection then takes about
20 ms), and young collections run less often.
"""

from __future__ import annotations

import gc

_tuned_after_start = False


def tune_gc() -> None:
    """Freeze what exists now, and run young collections less often."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)


def tune_gc_after_start() -> None:
    """``tune_gc`` once the app has started (its catalogue index is built), once per process.

    Once: each web worker process runs it in its own start-up; a later app in the same process (the tests build
    hundreds) would otherwise freeze what is left of the one before.
    """
    global _tuned_after_start  # noqa: PLW0603  # one flag per process
    if not _tuned_after_start:
        tune_gc()
        _tuned_after_start = True
