"""The ``guwah names`` commands. The name tables load inside the command, not at start-up."""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Annotated

import typer

names_app = typer.Typer(
    help="Names across scripts: score pairs of names (Chinese, Uyghur, Latin, Cyrillic).",
    no_args_is_help=True,
)


@names_app.command("score")
def score_command(
    pairs: Annotated[
        Path,
        typer.Option(
            "--pairs", help="CSV with columns name1,name2 (other columns are kept).", exists=True
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write the CSV here (default: standard output)."),
    ] = None,
    threshold: Annotated[
        float | None,
        typer.Option("--threshold", help="Score at which a pair is a match (default 0.8)."),
    ] = None,
) -> None:
    """Score each pair of names and add the columns score and match (true/false).

    Example: guwah names score --pairs pairs.csv --out scored.csv
    """
    from guwah.names import DEFAULT_THRESHOLD, score

    with pairs.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        fields = list(reader.fieldnames or [])
        if "name1" not in fields or "name2" not in fields:
            typer.echo(f"Error: {pairs} needs columns name1 and name2 (found: {fields})", err=True)
            raise typer.Exit(2)
        rows = list(reader)
    fields += [f for f in ("score", "match") if f not in fields]
    for row in rows:
        m = score(
            row["name1"] or "",
            row["name2"] or "",
            DEFAULT_THRESHOLD if threshold is None else threshold,
        )
        row["score"] = f"{m.score:.4f}"
        row["match"] = "true" if m.match else "false"
    dest = out.open("w", encoding="utf-8", newline="") if out else sys.stdout
    try:
        writer = csv.DictWriter(dest, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    finally:
        if out:
            dest.close()
    if out:
        typer.echo(f"{len(rows)} pairs scored -> {out}", err=True)
