"""The local outbox: where messages, API calls and emails land when no real endpoint is
configured (the embedded default). One file per item, readable by a person."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone
from pathlib import Path

from .db import cleanup_home


def outbox_dir(kind: str) -> Path:
    folder = cleanup_home() / "outbox" / kind
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _name(suffix: str) -> str:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    return f"{stamp}-{uuid.uuid4().hex[:8]}{suffix}"


def write_json(kind: str, payload: dict) -> Path:
    path = outbox_dir(kind) / _name(".json")
    path.write_text(json.dumps(payload, indent=2, sort_keys=True, default=str))
    return path


def write_bytes(kind: str, data: bytes, suffix: str) -> Path:
    path = outbox_dir(kind) / _name(suffix)
    path.write_bytes(data)
    return path


def read_json(kind: str) -> list[dict]:
    """Everything in one outbox folder, oldest first (for the demo and tests)."""
    return [json.loads(p.read_text()) for p in sorted(outbox_dir(kind).glob("*.json"))]
