"""The ``guwah synth`` command. The generator loads inside the command, not at start-up."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

SCALES = ("small", "medium", "large", "xl")  # their file counts: guwah.synth.plan.SCALES


def _scale(value: str) -> str | int:
    if value in SCALES:
        return value
    if value.isdigit() and int(value) >= 40:
        return int(value)
    raise typer.BadParameter("use small, medium, large, xl or a file count (at least 40)")


def synth_command(
    out: Annotated[
        Path, typer.Argument(help="Directory to create the synthetic leak in (new or empty).")
    ],
    seed: Annotated[
        int,
        typer.Option("--seed", help="Random seed: the same seed and scale give the same bytes."),
    ] = 1,
    scale: Annotated[
        str,
        typer.Option(
            "--scale",
            help="small (~300 files), medium (~5,000), large (~100,000), xl (large with "
            "1,000,000 people in its rosters) or a file count.",
        ),
    ] = "small",
    people: Annotated[
        int | None,
        typer.Option(
            "--people",
            min=1,
            help="About this many people in the rosters (more residents per village; the "
            "photos and files stay as --scale makes them).",
        ),
    ] = None,
    truth: Annotated[
        Path | None,
        typer.Option(
            "--truth", help="Ground-truth JSON file (default: OUT.truth.json beside OUT)."
        ),
    ] = None,
    anomaly_rate: Annotated[
        float,
        typer.Option(
            "--anomaly-rate", help="Share of people, photos and documents given a planted anomaly."
        ),
    ] = 0.03,
) -> None:
    """Generate a synthetic leak shaped like the Xinjiang Police Files, with a ground truth.

    Fictional people, ID numbers, spreadsheets, photos and documents, with planted
    anomalies recorded in a truth file outside the leak. No real person's data is used.

    Example:

        guwah synth demo/leak --seed 1 --scale medium --truth demo/leak.truth.json

        guwah synth big/leak --scale large --people 1000000
    """
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from guwah.synth.generate import generate

    console = Console()
    try:
        parsed = _scale(scale)
        with Progress(
            TextColumn("[bold]synth"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as bar:
            task = bar.add_task("files", total=None)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            result = generate(
                out,
                seed=seed,
                scale=parsed,
                truth=truth,
                anomaly_rate=anomaly_rate,
                progress=progress,
                people=people,
            )
    except (FileExistsError, ValueError, RuntimeError) as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from exc
    planted = sum(result.anomalies.values())
    console.print(
        f"Synthetic leak in [bold]{result.out}[/bold]: {result.n_files:,} files, "
        f"{result.n_bytes / 1e6:,.1f} MB, {result.n_people:,} people "
        f"({result.counts.get('photos', 0):,} photos, {result.counts.get('spreadsheets', 0):,} spreadsheets, "
        f"{result.counts.get('documents', 0):,} documents)."
    )
    console.print(
        f"Ground truth: [bold]{result.truth}[/bold] ({planted} planted anomalies: "
        + ", ".join(f"{k} {v}" for k, v in result.anomalies.items() if v)
        + ")"
    )
