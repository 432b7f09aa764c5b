"""axe-core for the accessibility tests: the npm package at a pinned version, fetched once into ``.cache/axe/``.

``npm pack`` downloads the release tarball from the npm registry; its SHA-512 must equal the pinned integrity
(the value npm's lockfiles carry), so a changed or tampered package fails loudly instead of being run. Only
``axe.min.js`` is kept. ``scripts/services`` calls ``python -m tests.e2e.axe`` so CI fetches it before the tests;
the test fixture fetches it too when it is missing (a fresh clone, a developer's machine).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
import urllib.request
from pathlib import Path
from typing import Any

AXE_VERSION = "4.14.1"
AXE_INTEGRITY = "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="
"""``npm view axe-core@<version> dist.integrity``; change both lines together."""

ROOT = Path(__file__).resolve().parents[2]
CACHE_DIR = ROOT / ".cache" / "axe"
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")


def _integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def _npm_pack(npm: str, folder: str) -> None:
    """``npm pack`` the pinned version into ``folder``."""
    subprocess.run(  # fixed arguments, npm from PATH
        [
            npm,
            "pack",
            f"axe-core@{AXE_VERSION}",
            "--pack-destination",
            folder,
            "--silent",
            "--no-fund",
            "--no-audit",
            "--no-update-notifier",
        ],
        check=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        env={**os.environ, "npm_config_loglevel": "error"},
        timeout=300,
    )


def axe_path(cache_dir: Path = CACHE_DIR) -> Path:
    """The path of the pinned ``axe.min.js``; downloads and checks the package when it is not there yet."""
    target = cache_dir / f"axe-core-{AXE_VERSION}.min.js"
    stamp = target.with_suffix(".sha512")
    if target.is_file() and stamp.is_file() and stamp.read_text().strip() == _integrity(target.read_bytes()):
        return target
    npm = shutil.which("npm")
    cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache_dir) as tmp:
        tarball = Path(tmp) / f"axe-core-{AXE_VERSION}.tgz"
        if npm is None:
            # Without npm, the same tarball straight from the registry (the integrity check below holds either way).
            url = f"https://registry.npmjs.org/axe-core/-/axe-core-{AXE_VERSION}.tgz"
            with urllib.request.urlopen(url, timeout=120) as response:  # fixed https URL
                tarball.write_bytes(response.read())
        else:
            _npm_pack(npm, tmp)
        data = tarball.read_bytes()
        if _integrity(data) != AXE_INTEGRITY:
            raise RuntimeError(f"axe-core {AXE_VERSION}: the downloaded package does not match the pinned integrity")
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
            member = archive.extractfile("package/axe.min.js")
            if member is None:
                raise RuntimeError(f"axe-core {AXE_VERSION}: no package/axe.min.js in the package")
            script = member.read()
        # Two pytest workers may fetch at once: write under a temporary name, then rename (atomic).
        partial = Path(tmp) / target.name
        partial.write_bytes(script)
        partial.replace(target)
        stamp.write_text(_integrity(script) + "\n")
    return target


def format_violations(url: str, violations: list[dict[str, Any]]) -> str:
    """One readable block per violated rule: rule id, impact, help, and the offending elements' selectors."""
    lines = [f"{url}: {len(violations)} axe violation(s)"]
    for violation in violations:
        lines.append(f"  [{violation.get('impact')}] {violation['id']}: {violation['help']}")
        for node in violation["nodes"][:8]:
            target = " ".join(json.dumps(t) if not isinstance(t, str) else t for t in node["target"])
            lines.append(f"      {target}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"        {summary[:300]}")
        if len(violation["nodes"]) > 8:
            lines.append(f"      … and {len(violation['nodes']) - 8} more")
    return "\n".join(lines)


if __name__ == "__main__":
    print(axe_path())  # noqa: T201  # scripts/services shows where the file is
