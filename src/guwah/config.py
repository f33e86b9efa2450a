"""Case settings: read from ``guwah.toml`` in the case directory, overridable by environment."""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, get_type_hints

CONFIG_NAME = "guwah.toml"


class ConfigError(ValueError):
    """``guwah.toml`` cannot be used as written; the message names the file and the key."""


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
    #: the memory one stage's main process may use (records, verify); a step that cannot
    #: stay within it stops or skips with a message naming this key
    memory_bound_bytes: int = 1 << 30


@dataclass(frozen=True)
class MemoryBound:
    """How a stage shares ``limits.memory_bound_bytes`` out among its steps."""

    total: int

    @classmethod
    def of(cls, case: Any) -> MemoryBound:
        """The bound of a case (anything with ``settings.limits``)."""
        return cls(case.settings.limits.memory_bound_bytes)

    @property
    def sheet_bytes(self) -> int:
        """One sheet read into memory (its cells and records): a quarter of the bound; the
        rest is the interpreter, the database's caches and the write batches."""
        return self.total // 4

    @property
    def index_bytes(self) -> int:
        """An in-memory index a check builds (near-duplicate hashes): a quarter."""
        return self.total // 4

    def message(self, what: str, need: int, share: int) -> str:
        return (
            f"{what} needs about {need / 2**20:,.0f} MiB, over the {share / 2**20:,.0f} MiB "
            f"it may use under [limits] memory_bound_bytes = {self.total:,} in guwah.toml; "
            "raise the bound to go on"
        )


@dataclass
class Settings:
    database_url: str = ""  # empty: the case's own SQLite file
    custodian: str = ""
    ocr_languages: str = "chi_sim+uig+eng"
    ocr_models: str = "per_page"  # per_page: each page's script picks; fixed: ocr_languages
    ocr_enabled: bool = True
    workers: int = 0  # 0: one per core
    #: where the originals are: empty for the case's evidence/ directory, or
    #: "s3://bucket/prefix" on any S3-compatible service (credentials: the AWS chain)
    evidence: str = ""
    evidence_endpoint_url: str = ""  # e.g. "http://minio:9000"; empty: AWS_ENDPOINT_URL or AWS
    evidence_region: str = ""  # empty: AWS_REGION / the profile's region
    evidence_profile: str = ""  # a profile of ~/.aws/credentials; empty: AWS_PROFILE or env keys
    evidence_cache_bytes: int = 10 << 30  # the local copies of originals read from the bucket
    evidence_timeout_s: float = 30.0  # to connect and to read, per try
    evidence_retries: int = 4  # tries per call to the service (botocore, standard mode)
    limits: Limits = field(default_factory=Limits)

    @classmethod
    def load(cls, case_dir: Path) -> Settings:
        """The settings in ``CASE/guwah.toml``; raises :class:`ConfigError` on an unknown key or
        table, a value of the wrong type, or a negative number."""
        path = case_dir / CONFIG_NAME
        data: dict[str, Any] = {}
        if path.exists():
            try:
                data = tomllib.loads(path.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                raise ConfigError(f"{path} is not valid TOML: {exc}") from exc
        limits_data = data.pop("limits", {})
        if not isinstance(limits_data, dict):
            raise ConfigError(f"{path}: 'limits' must be a table ([limits]), not a value")
        settings = cls(**_checked(cls, data, path, ""))
        settings.limits = Limits(**_checked(Limits, limits_data, path, "limits."))
        if (why := evidence_error(settings.evidence)) is not None:
            raise ConfigError(f"{path}: {why}")
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


S3_URL = re.compile(r"^s3://[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9](/\S*)?$")


def evidence_error(value: str) -> str | None:
    """Why ``value`` cannot be the ``evidence`` setting; None when it can."""
    if value == "" or S3_URL.match(value):
        return None
    return (
        "'evidence' must be empty (the case's own evidence/ directory) or an S3 URL such "
        'as "s3://bucket/prefix" (a bucket name of 3-63 lower-case letters, digits, dots '
        f"and hyphens), not {value!r}"
    )


_KINDS = {bool: "true or false", int: "a whole number", float: "a number", str: "a string"}


def _checked(cls: type, data: dict[str, Any], path: Path, prefix: str) -> dict[str, Any]:
    """``data``'s values for the fields of dataclass ``cls``, each of the field's type."""
    types = get_type_hints(cls)
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if key not in types or key == "limits":
            if isinstance(value, dict):
                raise ConfigError(f"{path}: unknown table [{name}]")
            known = ", ".join(f"{prefix}{k}" for k in types if k != "limits")
            raise ConfigError(f"{path}: unknown key '{name}' (known keys: {known})")
        want = types[key]
        ok = isinstance(value, want) and not (want is not bool and isinstance(value, bool))
        if want is float and isinstance(value, int) and not isinstance(value, bool):
            ok, value = True, float(value)
        if not ok:
            raise ConfigError(
                f"{path}: '{name}' must be {_KINDS[want]}, not {value!r} ({type(value).__name__})"
            )
        if want in (int, float) and value < 0:
            raise ConfigError(f"{path}: '{name}' must not be negative (it is {value!r})")
        out[key] = value
    return out


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'
