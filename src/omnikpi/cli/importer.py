"""`omnikpi import SOURCE INPUT... --out DIR`: raw exports → a canonical dataset folder."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from omnikpi.cli.main import app, fail
from omnikpi.cli.progress import progress_bar
from omnikpi.connectors.mapping_files import PLATFORMS, shipped_mapping
from omnikpi.engine.timezones import zone
from omnikpi.errors import DataError, OmniKPIError, UsageError
from omnikpi.instants import FIRST_YEAR, LAST_YEAR

if TYPE_CHECKING:
    from omnikpi.connectors.queue_log_import import ImportSummary

console = Console(soft_wrap=True)  # paths in messages stay whole (copyable)
SOURCES = ("asterisk-queue-log", "csv", "json", "xlsx", "transcripts", *PLATFORMS)
MAX_INTERVAL_SECONDS = 3600
MAX_FOLLOW_SECONDS = 10 * 365 * 86400


@app.command("import")
def import_command(
    source: Annotated[str, typer.Argument(
        help="asterisk-queue-log | csv | json | xlsx (with --mapping) | transcripts "
             "(chat/e-mail messages) | a "
             "platform with a shipped mapping: " + " | ".join(PLATFORMS))],
    inputs: Annotated[list[Path], typer.Argument(help="files or folders to import")],
    out: Annotated[Path, typer.Option(help="dataset folder to write (created or extended)")],
    mapping: Annotated[Path | None, typer.Option(
        help="TOML mapping (csv, json, transcripts; for a platform it replaces the "
             "shipped one)")] = None,
    tz: Annotated[str | None, typer.Option(
        help="time zone of local timestamps in the input: asterisk-queue-log (default "
             "UTC), a mapping's [timestamps] local columns (wins over its timezone)")] = None,
    format: Annotated[str, typer.Option(help="parquet|csv")] = "parquet",
    follow: Annotated[bool, typer.Option(help="keep importing a growing log")] = False,
    interval_seconds: Annotated[float, typer.Option(help="polling interval with --follow")] = 1.0,
    max_seconds: Annotated[float | None, typer.Option(help="stop following after")] = None,
    recordings: Annotated[Path | None, typer.Option(
        help="asterisk-queue-log: MixMonitor recordings folder; each call's file is linked "
             "in contacts.recording_uri (relative to this folder)")] = None,
    recording_pattern: Annotated[str, typer.Option(
        help="file name of a call's recording without extension, * for any text: "
             "{uniqueid} | *-{uniqueid} (FreePBX) | */*/*/*-{uniqueid}")] = "{uniqueid}",
    members: Annotated[Path | None, typer.Option(
        help="asterisk-queue-log: CSV interface,agent — the member name of each queue "
             "interface (log_membername_as_agent = no writes ADDMEMBER/REMOVEMEMBER "
             "with the interface, the calls with the name)")] = None,
    persistent_members: Annotated[bool, typer.Option(
        help="asterisk-queue-log: members stay logged in, with their pauses, across an "
             "Asterisk restart (QUEUESTART) — queues.conf persistentmembers = yes, as "
             "FreePBX sets it; without it every member is logged out until its next "
             "line")] = False,
    open_visit_hours: Annotated[float | None, typer.Option(
        help="asterisk-queue-log: a call with no line for this many hours (default 4) is "
             "closed as lost (its closing line never came: a crash, a cut log), and its "
             "agent's call ends then; raise it where calls are talked longer than that")] = None,
    encoding: Annotated[str | None, typer.Option(
        help="the files' text encoding when not UTF-8 (cp1251, cp1252, latin-1, utf-16; "
             "a UTF-16 file with its byte-order mark needs none): csv, json, "
             "transcripts, platforms (wins over the mapping's), asterisk-queue-log (a "
             "realtime export or a copy made by a Windows tool)")] = None,
) -> None:
    """Convert a platform's raw export into canonical tables; re-imports add only what is new."""
    try:
        if source not in SOURCES:
            raise UsageError(f"unknown source {source!r}: choose one of {', '.join(SOURCES)}")
        if format not in ("parquet", "csv"):
            raise UsageError(f"unknown format {format!r}: choose parquet or csv")
        if tz is not None:
            zone(tz)  # an unknown zone is a usage error, whatever the source
        if out.exists() and not out.is_dir():  # "cannot use out.json: File exists"
            raise UsageError(f"--out {out} is a file: name the dataset folder to write "
                             "(created when missing)")
        # (NaN fails these comparisons too: it once slept forever or raised in sleep())
        if not 0 <= interval_seconds <= MAX_INTERVAL_SECONDS:
            raise UsageError(f"--interval-seconds must be from 0 to {MAX_INTERVAL_SECONDS}")
        if max_seconds is not None and not 0 <= max_seconds <= MAX_FOLLOW_SECONDS:
            raise UsageError(f"--max-seconds must be from 0 to {MAX_FOLLOW_SECONDS:,}")
        if members is not None and source != "asterisk-queue-log":
            raise UsageError("--members names queue_log interfaces: it is for "
                             "asterisk-queue-log")
        if persistent_members and source != "asterisk-queue-log":
            raise UsageError("--persistent-members is how Asterisk's queues keep their "
                             "members across a restart: it is for asterisk-queue-log")
        if open_visit_hours is not None and source != "asterisk-queue-log":
            raise UsageError("--open-visit-hours closes queue_log calls whose end never "
                             "came: it is for asterisk-queue-log")
        if source == "asterisk-queue-log":
            from omnikpi.connectors.queue_log_members import read_members

            member_names = read_members(members) if members is not None else None
            started = time.monotonic()
            while True:
                _import_queue_log(inputs, out, tz, format, follow, recordings,
                                  recording_pattern, encoding, member_names,
                                  persistent_members, open_visit_hours)
                if not follow or (max_seconds is not None
                                  and time.monotonic() - started >= max_seconds):
                    return
                time.sleep(interval_seconds)
        if mapping is None and source in PLATFORMS:
            mapping = shipped_mapping(source)
        if mapping is None and source != "transcripts":  # transcripts: the default names
            raise UsageError(f"source {source} needs --mapping FILE.toml (see mappings/)")
        from omnikpi.connectors.mapped_table import import_mapped
        from omnikpi.connectors.transcripts import import_transcripts
        from omnikpi.connectors.writer import KEYS, WHOLE_ROW

        if tz is not None and source == "transcripts":
            raise UsageError(f"--tz {tz}: transcripts read ISO times with their offset or "
                             "epoch seconds, never local times; leave --tz out")
        if source == "transcripts":
            summaries = import_transcripts(inputs, mapping, out, format, encoding)
        else:
            assert mapping is not None  # refused above
            summaries = import_mapped(inputs, mapping, out, format, encoding, tz)
        table = Table(title=f"Imported into {out}")
        # rows read = imported + filtered + left out + repeated. A row with a value
        # left empty is counted beside where it went, mostly the table (validation then
        # quarantines it if the value is required): one "rejected" column counted it as
        # if it were not written, and the columns did not add up. "imported" is this
        # import's rows; the table's total (earlier imports' too) is a column of its own
        table.add_column("table", no_wrap=True)  # a table's name whole, never "ivr_sess…"
        for column in ("rows read", "imported", "filtered", "left out", "repeated",
                       "value left empty", "table now"):
            table.add_column(column, justify="right",
                             min_width=max(len(word) for word in column.split()))
        for summary in summaries:
            table.add_row(summary.table, str(summary.read), str(summary.written),
                          str(sum(summary.filtered.values())),
                          str(sum(summary.left_out.values())), str(summary.repeated),
                          str(summary.rejected_rows), str(summary.total))
        console.print(table)
        for summary in summaries:
            # with several tables, each reason says which table's rows it left out
            table_name = f"{summary.table}: " if len(summaries) > 1 else ""
            # a reason met in two of the counts is summed (one would have hidden the other);
            # a reason no row met this time is not listed ("0 … a page without an event")
            reasons: dict[str, int] = {}
            for counts in (summary.filtered, summary.rejected, summary.left_out):
                for reason, count in counts.items():
                    reasons[reason] = reasons.get(reason, 0) + count
            for reason, count in sorted(reasons.items()):
                if not count:
                    continue
                # a reason is text, not console markup ("… in the mapping's [derived]")
                console.print(f"  {count:>7} {table_name}{escape(reason)}", highlight=False)
            if summary.counted_twice:
                console.print(f"  ({table_name}{summary.rejected_rows} rows with a value "
                              f"left empty, for {sum(summary.rejected.values())} reasons: a "
                              "row may fail in more than one column)", highlight=False)
            for reason, count in sorted(summary.failed_filtered.items()):
                if count:
                    console.print(escape(
                        f"  {count:>7} {table_name}{reason}, on rows filtered out: a value "
                        "read from them into other rows (a window) is missing there"),
                        highlight=False)
            for column, count in sorted(summary.out_of_years.items()):
                console.print(escape(
                    f"  {count:>7} {table_name}{column} outside the years "
                    f"{FIRST_YEAR}–{LAST_YEAR} (a time in milliseconds read as seconds?): "
                    "written as read; validation quarantines these rows"), highlight=False)
            for column, count in sorted(summary.skipped_hour.items()):
                console.print(escape(
                    f"  {count:>7} {table_name}{column} at a local time the clocks skip in "
                    f"{summary.zone} (the hour daylight saving jumps over: no clock there "
                    "shows it): read with the offset before the change. Is the mapping's "
                    "[timestamps] timezone the export's zone?"), highlight=False)
            if summary.repeated:
                key = ("values in every column" if summary.table in WHOLE_ROW
                       else ", ".join(KEYS[summary.table])) + (
                    "; or the same record" if summary.recorded else "")
                which = "the newest form" if summary.versioned else "the first"
                console.print(f"  {summary.repeated:>7} {table_name}already imported, or "
                              f"repeated in these files (same {key}): kept once, {which}",
                              highlight=False)
            if summary.updated:
                console.print(f"  {summary.updated:>7} {table_name}imported before in an "
                              "older form (a ticket then open, a call then in wrap-up, a "
                              "rating since changed): "
                              "replaced by the newer form", highlight=False)
            if summary.removed:
                console.print(f"  {summary.removed:>7} {table_name}imported before, now "
                              "removed: their newer form is one a filter skips (a "
                              "conversation since resolved by the AI agent, a ticket since "
                              "deleted)", highlight=False)
        for summary in summaries:
            for note in summary.notes:  # what the import assumed, or found missing
                console.print(f"[bold]Note:[/] {escape(note)}", highlight=False)
        if any(summary.left_out for summary in summaries):
            console.print(f"  the lines left out are listed, with their text, in "
                          f"{escape(str(out / 'rejects.csv'))}", highlight=False)
    except OmniKPIError as exc:
        fail(exc)  # which prints a mapping key such as [derived] as text, not markup


def _import_queue_log(inputs: list[Path], out: Path, tz: str | None, fmt: str,
                      follow: bool = False, recordings: Path | None = None,
                      recording_pattern: str = "{uniqueid}",
                      encoding: str | None = None,
                      members: dict[str, str] | None = None,
                      persistent_members: bool = False,
                      open_visit_hours: float | None = None) -> None:
    from omnikpi.connectors.queue_log_flags import NAME as FLAGS_FILE
    from omnikpi.connectors.queue_log_flags import describe
    from omnikpi.connectors.queue_log_import import OPEN_FILE, import_queue_log
    from omnikpi.connectors.queue_log_visits import OPEN_VISIT_HOURS
    from omnikpi.schema.files import GZIP_DAMAGE_WORDS

    with progress_bar() as progress:
        task = progress.add_task("Reading queue_log", total=None)
        summary = import_queue_log(inputs, out, tz or "UTC", fmt,
                                   lambda lines: progress.update(task, completed=lines),
                                   follow=follow, recordings=recordings,
                                   recording_pattern=recording_pattern, encoding=encoding,
                                   members=members,
                                   persistent_members=persistent_members,
                                   open_visit_hours=OPEN_VISIT_HOURS
                                   if open_visit_hours is None else open_visit_hours)
    for line in summary.recovered:
        console.print(f"Recovered: {escape(line)}", highlight=False)
    # every line read is one of: contact event, agent event, ignored, rejected
    console.print(
        f"{summary.lines} new line(s) read from {len(summary.files)} file(s): "
        f"{summary.contact_events} contact event(s), {summary.agent_events} agent "
        f"event(s), {sum(summary.ignored.values())} ignored, "
        f"{sum(summary.rejected.values())} rejected (listed in {out / 'rejects.csv'})",
        highlight=False)
    console.print(
        f"Wrote {summary.contacts} contact(s), {summary.states} agent state row(s); "
        f"{summary.open_visits} call(s) still open, {summary.open_agents} agent(s) logged "
        f"in (in progress, in {out / OPEN_FILE}); {summary.lost_visits} visit(s) closed "
        f"as lost{_timed_out(summary)}; {summary.late_merged} line(s) older than the last "
        "import merged",
        highlight=False)
    for path, how in summary.read_as.items():
        console.print(f"Read as {how}: {escape(path)}", highlight=False)
        if summary.utf8_among[path]:
            console.print(f"  {summary.utf8_among[path]} of its lines are UTF-8 (a log "
                          "written by two systems): read as UTF-8, so their names match",
                          highlight=False)
    if summary.not_utf8:
        console.print(f"{summary.not_utf8} line(s) held bytes that are not UTF-8 in a data "
                      "field (a caller's name saved in another encoding): read with � in "
                      "their place", highlight=False)
    if summary.local_times and tz is None:
        console.print(f"{summary.local_times} line(s) have a local time without an offset: "
                      "read as UTC, as no --tz was given. A database that writes its "
                      "server's clock needs that zone: re-import with --tz (e.g. --tz "
                      "Europe/Kyiv) into a new folder.", highlight=False)
    if summary.skipped_hour:
        console.print(f"{summary.skipped_hour} line(s) have a local time the clocks skip in "
                      f"{tz or 'UTC'} (the hour moved forward for daylight saving: no clock there "
                      "shows it): read with the offset before the change. Was the log "
                      "written in another zone? Re-import with the right --tz.",
                      highlight=False)
    if summary.ignored:
        console.print("Ignored known events:", highlight=False)
        for name, count in summary.ignored.most_common():
            console.print(f"  {count:>7} {escape(name)}", highlight=False)
    if summary.rejected:
        console.print("Rejected:", highlight=False)
        for reason, count in summary.rejected.most_common():
            where = summary.first_reject.get(reason)
            first = f" (first at {where[0]} line {where[1]})" if where else ""
            console.print(f"  {count:>7} {escape(reason)}{escape(first)}", highlight=False)
    flagged = describe(summary.flagged, summary.first_flag)
    if flagged:  # contacts, not lines: their figures are the timestamps', as written
        console.print("Flagged contacts (a duration Asterisk wrote disagrees with the "
                      f"timestamps; listed in {escape(str(out / FLAGS_FILE))}):",
                      highlight=False)
        for count, text in flagged:
            console.print(f"  {count:>7} {escape(text)}", highlight=False)
    if recordings is not None:
        unmatched, odd = summary.recordings_unmatched, summary.recordings_not_matching
        console.print(
            f"Recordings: {summary.recordings_linked} call(s) linked; {len(unmatched)} "
            f"recording(s) match no answered call{_first(unmatched)}; {len(odd)} audio "
            f"file(s) do not fit the pattern {recording_pattern!r}{_first(odd)}",
            highlight=False)
    for path in summary.waiting:
        console.print(f"The last line of {path} has no end of line yet: it is read once "
                      "complete (by the next import).", highlight=False)
    for path, damage in summary.damaged.items():
        console.print(f"[bold]{escape(path)} {GZIP_DAMAGE_WORDS[damage]}[/]: its lines up to "
                      "the damage are imported, the rest could not be read. Copy the file "
                      "again from its source and import it: the import goes on from the "
                      "last line read.")
    if summary.damaged and not follow:
        raise DataError(f"{len(summary.damaged)} input file(s) could not be read to the "
                        "end (named above)")


def _first(names: list[str]) -> str:
    if not names:
        return ""
    shown = ", ".join(names[:5])
    return f" ({shown}{', …' if len(names) > 5 else ''})"


def _timed_out(summary: ImportSummary) -> str:
    """How many lost visits timed out, and after how long (none: nothing said)."""
    if not summary.timed_out:
        return ""
    return (f" ({summary.timed_out} without a line for {summary.open_visit_hours:g} "
            "hour(s))")
