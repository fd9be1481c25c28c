"""The legacy formats cell by cell, without a database or a server: what a NULL, a bit, a
date, a hostile value and a .NET format string become (the whole files are in
test_golden.py)."""

from __future__ import annotations

from datetime import datetime

import pytest

from cleanup_assets.emails import (
    build_email,
    dotnet_format,
    new_plans_bodies,
    recipients,
    short_date,
    stop_subject,
    summary_bodies,
    summary_subject,
)
from cleanup_assets.optimization import amop_daily_sync_body, amop_error_body
from cleanup_assets.reporting import csv_text, history_cell, sync_log_line


def test_a_sync_log_row_reads_nulls_as_the_legacy_reader_does():
    # DeviceSyncSummaryLogFromReader (F:1005-1023): numbers 0, dates DateTime.MinValue,
    # text empty; GenerateDeviceSyncSummaryLogFile's yyyy-MM-dd (F:1581).
    assert sync_log_line((7, None, None, None, None, None, None, None, None, None, None, None,
                          None)) == "7,,,0,0,0,0,0,0,0001-01-01,0001-01-01,0001-01-01,0\n"
    assert sync_log_line((7, "8910", "155", 1, 2, 3, 4, 5, 6, datetime(2026, 3, 1, 23, 59),
                          datetime(2026, 3, 31), datetime(2026, 3, 9, 13), 11)) == (
        "7,8910,155,1,2,3,4,5,6,2026-03-01,2026-03-31,2026-03-09,11\n")


@pytest.mark.parametrize("value, cell", [
    ("8910300000000000011", "8910300000000000011"),  # everything ordinary is unchanged
    ("CP Fleet (EU)", "CP Fleet (EU)"),
    ("=1+2", "'=1+2"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"),
    ('=HYPERLINK("http://evil","x")', '"\'=HYPERLINK(""http://evil"",""x"")"'),
    ("a,b", '"a,b"'), ('say "hi"', '"say ""hi"""'), ("two\r\nlines", '"two\r\nlines"'),
    ("\r=1", "\"'\r=1\""),
])
def test_no_text_cell_starts_a_formula_or_breaks_its_row(value, cell):
    assert csv_text(value) == cell


def test_history_cells_are_what_object_to_string_gives_on_a_24_hour_clock():
    # DeviceHistoryFileLineFromReader (F:366-380); "hh" was the legacy's 12-hour defect
    assert history_cell(datetime(2026, 1, 2, 15, 4, 5)) == "2026-01-02T15:04:05Z"
    assert (history_cell(True), history_cell(False), history_cell(None)) == ("True", "False", "")
    assert (history_cell(0), history_cell(12345678901)) == ("0", "12345678901")
    assert history_cell("-1 day") == "'-1 day"


def test_dotnet_format_takes_placeholders_and_escaped_braces_and_refuses_the_rest():
    assert dotnet_format("Stopped: {0} ({0:D})", "SP") == "Stopped: SP (SP)"
    assert dotnet_format("{{literal}} {0}", "x") == "{literal} x"
    for bad in ("{1}", "{", "}", "{name}"):
        with pytest.raises(ValueError):
            dotnet_format(bad, "x")
    assert stop_subject(None, "SP") == "Carrier optimization stopped for SP"


def test_recipients_are_split_on_semicolons_as_the_legacy():
    assert recipients("a@example.com; ;b@example.com;") == ["a@example.com", "b@example.com"]
    assert recipients('"Ops, Night" <ops@example.com>') == ["ops@example.com"]
    with pytest.raises(ValueError):
        recipients("not-an-address")


def test_the_summary_subject_replaces_jasper_and_appends_nothing():
    assert summary_subject("Jasper Device Sync Results", "POD19") == "POD19 Device Sync Results"
    assert short_date(datetime(2026, 3, 7, 23)) == "3/7/2026" and short_date(None) == ""


def test_the_summary_body_counts_default_to_zero_and_dates_to_blank():
    text, html = summary_bodies({"DetailQueueCount": None}, historian=False)
    assert text == ("Device Sync Summary\nDevice Details\nLast Sync: \nQueue Count: 0\n"
                    "Update Count: 0\nDevice Usage\nLast Sync: \nQueue Count: 0\n"
                    "Update Count: 0\n")
    assert html.endswith("<b>Update Count:</b> 0</div><div></div>")


def test_plan_names_are_escaped_in_html_only():
    text, html = new_plans_bodies(["<b>A&B</b>", "C"])
    assert text.endswith("Communication Plans Added:\r\n\r\n<b>A&B</b>\nC")
    assert "<li>&lt;b&gt;A&amp;B&lt;/b&gt;</li><li>C</li>" in html


def test_a_header_never_carries_a_line_break():
    message = build_email("from@example.com", ["to@example.com"],
                          "Evil\r\nBcc: victim@example.com", "t", "<p>h</p>")
    assert message["Subject"] == "Evil  Bcc: victim@example.com" and message["Bcc"] is None
    assert b"\nBcc:" not in bytes(message)


def test_the_daily_sync_body_is_the_legacy_concatenation_with_escaped_values():
    assert amop_daily_sync_body("pond_inventories", 12) == (
        b'{"data": { "key_name": "pond_inventories","tenant_id": "12","tenant_name": ""}}')
    assert amop_daily_sync_body('a"b', None) == (
        b'{"data": { "key_name": "a\\"b","tenant_id": "","tenant_name": ""}}')


def test_the_error_report_is_the_consumers_error_job():
    assert amop_error_body(5, 'line\r\n"quoted" é') == (
        '{"data":{"path":"/get_optimization_progress_bar_data","job_name":"ErrorMessage",'
        '"SessionId":"5","OptimizationSessionGuid":null,"ErrorMessage":"line\\r\\n\\"quoted\\" é",'
        '"Progress":0,"CustomerId":"","AdditionalJson":null,"DeviceCount":0}}').encode()


def test_the_local_sync_log_folder_takes_file_names_only(tmp_path, cleanup_home):
    from cleanup_assets.defs.resources import LocalSyncLog

    source = tmp_path / "log.txt"
    source.write_bytes(b"ID\n")
    store = LocalSyncLog()
    assert store.put("Jasper-20260301.txt", source) == str(
        (cleanup_home / "sync-logs" / "Jasper-20260301.txt").resolve())
    for bad in ("../Jasper.txt", "a/b.txt", "..", "", "a\\b.txt"):
        with pytest.raises(ValueError):
            store.put(bad, source)
