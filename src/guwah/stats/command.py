"""``guwah stats``: yearbook tables imported as printed, series side by side, analysis."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from guwah.cli_options import CaseOpt, case_errors, open_case
from guwah.console import console

stats_app = typer.Typer(
    help="Demographic evidence from official yearbook tables: import, show, export, analyse.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)

IndicatorOpt = Annotated[
    str | None,
    typer.Option(
        "--indicator", "-i", help="Indicator id, English or Chinese label (birth_rate, 出生率)."
    ),
]
RegionOpt = Annotated[
    str | None,
    typer.Option("--region", "-r", help="Region code or name as printed (650000, 新疆, 喀什地区)."),
]
SourceOpt = Annotated[
    str | None, typer.Option("--source", "-s", help="Only tables whose source contains this text.")
]


def say(text: str) -> None:
    """Print text from a table (leaked or official): no markup, control characters shown."""
    from guwah.textsafe import visible_controls

    console.print(visible_controls(text), markup=False, highlight=False)


@stats_app.command("import")
def import_command(
    file: Annotated[
        Path, typer.Argument(help="A yearbook table: xlsx/xls/ods/csv, a PDF, a scan.")
    ],
    source: Annotated[str, typer.Option(help="What the table is, as you would cite it.")],
    edition: Annotated[int | None, typer.Option(help="The edition (year of publication).")] = None,
    table: Annotated[
        str | None, typer.Option("--table", help="The table's number, e.g. 2-8.")
    ] = None,
    region: Annotated[
        str | None,
        typer.Option(
            help="The region a table is about when it prints none (a provincial yearbook's own tables)."
        ),
    ] = None,
    custodian: Annotated[str, typer.Option(help="Who handles the file (custody log).")] = "",
    case_dir: CaseOpt = None,
) -> None:
    """Preserve a yearbook file (SHA-256, custody) and read its tables, every figure with its cell.

    Example: [bold]guwah stats import csy2020_2-8.xlsx --source "China Statistical Yearbook" --edition 2020 --table 2-8 --case cases/xpf[/]
    """
    from guwah.stats.stage import import_file

    case = open_case(case_dir)
    with case_errors():
        res = import_file(case, file, source, edition, table, custodian, region=region)
    say(f"Stored {file.name} as {res.sha256}")
    for t in res.tables:
        where = (
            f"sheet {t.sheet_index}"
            if t.sheet_index is not None
            else f"page {t.page_no} ({t.method})"
        )
        say(f"  table {t.table_ref} ({where}): {t.n_values} figures, {t.layout}; {t.title[:70]}")
    if res.regions_total:
        say(f"Regions resolved: {res.regions_resolved} of {res.regions_total}")
    if res.unmatched_regions:
        say(
            "Region names that match no code, or several (kept, listed): "
            + "、".join(res.unmatched_regions)
        )
    for p in res.problems:
        say(f"  ! {p}")
    say(f"{res.values} figures in {len(res.tables)} table(s), {res.seconds:.1f} s")


@stats_app.command("show")
def show_command(
    indicator: IndicatorOpt = None,
    region: RegionOpt = None,
    source: SourceOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    case_dir: CaseOpt = None,
) -> None:
    """Every series (indicator × region × year), the figures of every source side by side.

    A year where sources print different figures is marked DISPUTED and shows each with its
    table and cell; nothing is averaged.

    Example: [bold]guwah stats show --indicator birth_rate --region 新疆 --case cases/xpf[/]
    """
    from guwah.stats.series import load_series, series_json

    case = open_case(case_dir)
    with case_errors(), case.sessions() as session:
        series = load_series(session, indicator, region, source)
    if as_json:
        console.print_json(json.dumps([series_json(s) for s in series], ensure_ascii=False))
        return
    if not series:
        say("No series. Import a table first: guwah stats import FILE --source TEXT")
        return
    for s in series:
        say(f"\n{s.label}  [{s.region_code or 'no code'}]")
        for year, point in sorted(s.points.items()):
            mark = "  DISPUTED" if point.disputed else ""
            for o in point.observations:
                shown = o.raw if o.problem is None else f"{o.raw} ({o.problem}: {o.detail})"
                say(f"  {year}  {shown} {o.unit_printed or '(no unit)'}   {o.cite}{mark}")


@stats_app.command("export")
def export_command(
    out: Annotated[Path, typer.Argument(help="The CSV file to write.")],
    indicator: IndicatorOpt = None,
    region: RegionOpt = None,
    case_dir: CaseOpt = None,
) -> None:
    """Write every figure of every series to CSV, each with its source, table and cell.

    Example: [bold]guwah stats export series.csv --case cases/xpf[/]
    """
    from guwah.stats.series import export_csv

    case = open_case(case_dir)
    with case_errors(), case.sessions() as session:
        n = export_csv(session, out, indicator, region)
    say(f"Wrote {n} figures to {out}")


@stats_app.command("change")
def change_command(
    indicator: Annotated[
        str, typer.Option("--indicator", "-i", help="Indicator (birth_rate, 出生率).")
    ],
    region: Annotated[str, typer.Option("--region", "-r", help="Region code or name.")],
    start: Annotated[int, typer.Option("--from", help="First year.")],
    end: Annotated[int, typer.Option("--to", help="Last year.")],
    source: SourceOpt = None,
    case_dir: CaseOpt = None,
) -> None:
    """Change between two years (absolute and relative), against the national series, with
    breaks in trend and caveats.

    Example: [bold]guwah stats change -i birth_rate -r 新疆 --from 2017 --to 2019 --case cases/xpf[/]
    """
    from guwah.stats.analysis import against_national, break_method, breaks, caveats, change
    from guwah.stats.series import load_series

    case = open_case(case_dir)
    with case_errors(), case.sessions() as session:
        found = load_series(session, indicator, region, source)
        national = load_series(session, indicator, "000000", source)
    if not found:
        say(f"No series for {indicator} in {region}.")
        raise typer.Exit(1)
    for s in found:
        c = change(s, start, end)
        say(c.text())
        for o in c.observations:
            say(f"    {o.raw} {o.unit_printed or ''}: {o.cite}  {o.link}")
        if national and s.region_code != "000000":
            n = change(national[0], start, end)
            say("  national: " + n.text())
            for row in against_national(s, national[0]):
                if row.year in (start, end) and row.difference is not None:
                    say(
                        f"    {row.year}: region − national = {row.difference:+.2f}, ratio {row.ratio:.2f}"
                    )
        found_breaks = breaks(s)
        if found_breaks:
            say(f"  breaks in trend ({break_method()}):")
            for b in found_breaks:
                say("    " + b.text())
        for cav in caveats(s, (start, end)):
            say("  caveat: " + cav)


@stats_app.command("groups")
def groups_command(
    indicator: Annotated[str, typer.Option("--indicator", "-i", help="Indicator.")],
    start: Annotated[int, typer.Option("--from", help="First year.")],
    end: Annotated[int, typer.Option("--to", help="Last year.")],
    census: Annotated[
        Path | None,
        typer.Option(
            help="A census workbook by county (区划代码, 人口数_合计, 少数民族人口比重（%）); "
            "default: the census imported into the case (guwah reference import census)."
        ),
    ] = None,
    threshold: Annotated[
        float, typer.Option(help="Minority share (%) dividing the groups.")
    ] = 50.0,
    case_dir: CaseOpt = None,
) -> None:
    """Regions grouped by ethnic composition (census minority share ≥ threshold vs below),
    each region's change between two years.

    Example: [bold]guwah stats groups -i birth_rate --from 2017 --to 2019 --census census_county_2020_v1.xlsx --case cases/xpf[/]
    """
    from guwah.stats.analysis import group_summary, groups_by_share
    from guwah.stats.census import census_of_case, read_census
    from guwah.stats.series import load_series

    case = open_case(case_dir)
    with case_errors():
        with case.sessions() as session:
            table = read_census(census) if census else census_of_case(session)
            series = [s for s in load_series(session, indicator) if s.region_code != "000000"]
        if not table:
            say("No census: import one (guwah reference import census FILE) or give --census FILE.")
            raise typer.Exit(1)
    for name, rows in groups_by_share(series, table, start, end, threshold).items():
        say(f"\n{name}: {group_summary(rows)}")
        for r in rows:
            share = f"{r.share.minority_share:.1f} %" if r.share else "?"
            say(f"  {r.series.region_name or r.series.region_raw} ({share}): {r.change.text()}")
    source = next(iter(table.values())).source
    say(
        f"\nMinority shares: {source} (a region without its own row: population-weighted over its counties)."
    )


@stats_app.command("rate")
def rate_command(
    count: Annotated[
        str, typer.Option(help="The count indicator (births, deaths, iud_placements…).")
    ],
    region: Annotated[str, typer.Option("--region", "-r", help="Region code or name.")],
    year: Annotated[int, typer.Option(help="The year.")],
    population: Annotated[str, typer.Option(help="The denominator indicator.")] = "population",
    per: Annotated[int, typer.Option(help="Per 1,000 (‰) or per 100,000.")] = 1000,
    mean: Annotated[
        bool,
        typer.Option(
            help="Mean of the previous and this year-end population (the NBS's definition)."
        ),
    ] = False,
    case_dir: CaseOpt = None,
) -> None:
    """A rate from a count and a stated denominator, with the method written out.

    Example: [bold]guwah stats rate --count births --region 新疆 --year 2019 --mean --case cases/xpf[/]
    """
    from guwah.stats.analysis import DENOMINATOR, rate_from_counts
    from guwah.stats.series import load_series

    case = open_case(case_dir)
    with case_errors(), case.sessions() as session:
        counts = load_series(session, count, region)
        pops = load_series(session, population, region)
    if not counts or not pops:
        say(f"Need both {count} and {population} for {region}.")
        raise typer.Exit(1)
    r = rate_from_counts(counts[0], pops[0], year, per, mean)
    if r is None:
        say(
            f"No agreed figures for {count} and {population} in {year}{' and the year before' if mean else ''}."
        )
        raise typer.Exit(1)
    say(f"{r.value:.2f} per {per:,}: {r.method}")
    say("caveat: " + DENOMINATOR)


@stats_app.command("tables")
def tables_command(case_dir: CaseOpt = None) -> None:
    """The tables imported, how each was read, and what went wrong in each.

    Example: [bold]guwah stats tables --case cases/xpf[/]
    """
    from sqlalchemy import select

    from guwah.stats.models import StatTable

    case = open_case(case_dir)
    with case_errors(), case.sessions() as session:
        rows = session.scalars(select(StatTable).order_by(StatTable.id)).all()
        for t in rows:
            where = f"sheet {t.sheet_index}" if t.sheet_index is not None else f"page {t.page_no}"
            say(
                f"{t.source} {t.edition or ''} · table {t.table_ref} · {where} · {t.layout} · {t.n_values} figures"
            )
            say(f"  {t.title[:100]}  ({t.sha256[:12]}…)")
            for p in t.problems:
                say(f"  ! {p['message']}")
            for note in t.footnotes:
                say(f"  注 {note[:160]}")
