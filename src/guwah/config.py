"""Case settings: read from ``guwah.toml`` in the case directory, overridable by environment."""

from __future__ import annotations

import os
import tomllib
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

CONFIG_NAME = "guwah.toml"


@dataclass
class Limits:
    """Bounds on hostile input. Every archive, image and document is read within these."""

    max_archive_depth: int = 5
    max_expansion_ratio: float = 200.0
    ratio_allowance_bytes: int = 1 << 20  # small members may compress better than the ratio
    max_archive_total_bytes: int = 20 << 30
    max_member_bytes: int = 4 << 30
    max_archive_members: int = 1_000_000
    max_image_pixels: int = 200_000_000
    max_sheet_cells: int = 5_000_000
    max_pdf_pages: int = 5_000
    max_text_bytes: int = 64 << 20
    item_timeout_s: float = 300.0
    ocr_timeout_s: float = 120.0
    office_timeout_s: float = 120.0  # one LibreOffice conversion to PDF
    worker_memory_bytes: int = 3 << 30


@dataclass
class Settings:
    database_url: str = ""  # empty: the case's own SQLite file
    custodian: str = ""
    ocr_languages: str = "chi_sim+uig+eng"
    ocr_enabled: bool = True
    workers: int = 0  # 0: one per core
    limits: Limits = field(default_factory=Limits)

    @classmethod
    def load(cls, case_dir: Path) -> Settings:
        path = case_dir / CONFIG_NAME
        data: dict[str, Any] = {}
        if path.exists():
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        limits_data = data.pop("limits", {})
        known = {f.name for f in fields(cls)} - {"limits"}
        settings = cls(**{k: v for k, v in data.items() if k in known})
        lim_known = {f.name for f in fields(Limits)}
        settings.limits = Limits(**{k: v for k, v in limits_data.items() if k in lim_known})
        env_url = os.environ.get("GUWAH_DATABASE_URL")
        if env_url:
            settings.database_url = env_url
        return settings

    def dump(self) -> str:
        """TOML text of these settings (flat keys and one [limits] table)."""
        lines = ["# guwah case settings", ""]
        data = asdict(self)
        limits = data.pop("limits")
        for key, value in data.items():
            lines.append(f"{key} = {_toml_value(value)}")
        lines += ["", "[limits]"]
        for key, value in limits.items():
            lines.append(f"{key} = {_toml_value(value)}")
        return "\n".join(lines) + "\n"


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'
