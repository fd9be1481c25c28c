"""The emails, as the legacy Lambda wrote them: subjects, senders, recipients and both bodies.

Texts are the legacy's own, cited ``F:<line>`` (AltaworxJasperGetDevicesCleanup.cs) or by
file. Two facts of the legacy build decide their exact bytes:

- ``Environment.NewLine`` is ``"\\n"``: the Lambda runs on Linux.
- The C# verbatim strings (``@$"…"``) keep the line ends of the source file, which the
  repository stores with CRLF: their line breaks are ``"\\r\\n"``, their indentation is
  part of the text.

``DateTime.ToShortDateString()`` follows the current culture; Lambda sets
``LANG=en_US.UTF-8``, so it is en-US ``M/d/yyyy`` (a guess at the deployed culture, listed in
docs/legacy-differences.md).

Bodies travel base64-encoded, so what a reader decodes is exactly these bytes. Values we put
into HTML are escaped (the legacy did not escape plan names: a difference only for names
holding ``<``, ``>``, ``&`` or quotes); header values lose control characters, so a hostile
name cannot add a header.
"""

from __future__ import annotations

import html
import re
from datetime import datetime
from email.message import EmailMessage
from email.utils import parseaddr
from typing import Iterable, Mapping

CRLF = "\r\n"  # a line break inside a C# verbatim string (the source file's)
NL = "\n"  # Environment.NewLine on the Lambda (Linux)

NEW_PLANS_SUBJECT = "New Communication Plans Added"  # F:438
HISTORIAN_NOTE = "Devices sent to Historian"  # F:1379

# The stop email's texts are LogCommonStrings constants whose values are not public
# (OptimizationUsageSyncErrorHandler.cs:48-52): plain texts of ours, listed as guesses.
STOP_HEADING = "Carrier Optimization Sync Device Error"
STOP_BODY = ("Carrier optimization for {0} was stopped because its device sync did not "
             "finish cleanly.")
STOP_ERROR_DETAILS = "Error Details"
# OptimizationSyncDeviceErrorEmailSubject missing: the legacy throws and sends nothing
# (string.Format(null, …)); ours says so in a subject of its own rather than stop for good.
STOP_SUBJECT_FALLBACK = "Carrier optimization stopped for {0}"
# Ours (the legacy has no such state): a send whose outcome is unknown ended its run. The
# stop email's words ("was stopped") would be false: the optimizer may be running it.
UNCONFIRMED_SUBJECT = "Carrier optimization sent, not confirmed for {0}"
UNCONFIRMED_HEADING = "Carrier Optimization Sent, Not Confirmed"
UNCONFIRMED_BODY = (
    "The carrier optimization message for {0} was sent by run {1}, but its delivery was "
    "never confirmed: it may be on the carrier-optimization queue and the optimization may "
    "be running. The session was not stopped. Check the queue and AMOP 2.0; if the message "
    "never arrived, `cleanup-assets resume-optimization --service-provider-id {2} --session "
    "{3} --not-on-queue` sends it again.")

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def header_text(value: str) -> str:
    """A header value with every control character (CR and LF included) made a space."""
    return _CONTROL.sub(" ", value)


def paragraphs_html(lines: Iterable[str]) -> str:
    """Our own plain alerts as HTML: one escaped paragraph per non-blank line (a provider's
    or tenant's name may hold `<` or `&`)."""
    return "<html><body>" + "".join(
        f"<p>{html.escape(line)}</p>" for line in lines if line) + "</body></html>"


def recipients(value: str | None) -> list[str]:
    """The legacy list: split on ``;``, blank entries skipped, each parsed as one address
    (``Split(';')`` and ``MailboxAddress.Parse``, F:1344-1351)."""
    found = []
    for entry in (value or "").split(";"):
        if not entry.strip():
            continue
        _, address = parseaddr(entry.strip())
        if not address or "@" not in address or _CONTROL.search(entry):
            raise ValueError(f"not an email address: {entry.strip()!r}")
        found.append(address)
    return found


def dotnet_format(template: str, *args: object) -> str:
    """``string.Format``: ``{0}``-style placeholders (format specifiers ignored), ``{{`` and
    ``}}`` as braces; a malformed template raises, as .NET's FormatException does."""
    out, i = [], 0
    while i < len(template):
        char = template[i]
        if char == "{":
            if template.startswith("{{", i):
                out.append("{")
                i += 2
                continue
            end = template.find("}", i)
            field = template[i + 1:end] if end > 0 else ""
            index = field.split(",")[0].split(":")[0].strip()
            if not index.isdigit() or int(index) >= len(args):
                raise ValueError(f"not a .NET format string: {template!r}")
            out.append(str(args[int(index)]))
            i = end + 1
        elif char == "}":
            if not template.startswith("}}", i):
                raise ValueError(f"not a .NET format string: {template!r}")
            out.append("}")
            i += 2
        else:
            out.append(char)
            i += 1
    return "".join(out)


def short_date(moment: datetime | None) -> str:
    """``DateTime.ToShortDateString()`` in en-US: ``M/d/yyyy``; empty for no date."""
    return f"{moment.month}/{moment.day}/{moment.year:04d}" if moment else ""


def build_email(sender: str | None, to: list[str], subject: str, text: str,
                html_body: str, attachments: Iterable[tuple[str, bytes, str]] = ()
                ) -> EmailMessage:
    """A text + HTML email (multipart/alternative, as MimeKit's BodyBuilder makes it), the
    bodies base64-encoded so that their bytes arrive unchanged."""
    if not sender or not to:
        raise ValueError("settings DeviceSyncFromEmailAddress / DeviceSyncToEmailAddresses are "
                         "missing: the email has nowhere to go")
    message = EmailMessage()
    message["From"] = header_text(sender)
    message["To"] = ", ".join(to)
    message["Subject"] = header_text(subject)
    message.set_content(text.encode("utf-8"), maintype="text", subtype="plain", cte="base64",
                        params={"charset": "utf-8"})
    message.add_alternative(html_body.encode("utf-8"), maintype="text", subtype="html",
                            cte="base64", params={"charset": "utf-8"})
    for filename, data, mime in attachments:
        maintype, subtype = mime.split("/", 1)
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return message


# --- the summary email (F:1316-1394) ----------------------------------------------------------
def summary_subject(template: str, integration_name: str) -> str:
    """The setting with "Jasper" replaced by ``Integration.Name``, nothing appended (F:1325)."""
    return template.replace("Jasper", integration_name)


def summary_bodies(fields: Mapping | None, historian: bool) -> tuple[str, str]:
    """(text, HTML) of ``BuildResultsEmailBody`` (F:1376-1394); ``fields`` None: the summary
    could not be read ("Error getting device summary", F:1380-1387)."""
    if fields is None:
        return (f"Device Sync Summary{NL}Error getting device summary",
                "<h1>Device Sync Summary</h1><h2>Error getting device summary</h2>")
    note = HISTORIAN_NOTE if historian else ""

    def count(name):  # GetValueOrDefault(0)
        return fields.get(name) or 0

    detail = (short_date(fields.get("DetailLastSyncDate")), count("DetailQueueCount"),
              count("DetailUpdatedCount"))
    usage = (short_date(fields.get("UsageLastSyncDate")), count("UsageQueueCount"),
             count("UsageUpdatedCount"))
    html_body = (
        f"<h1>Device Sync Summary</h1><h2>Device Details</h2><div><b>Last Sync:</b> {detail[0]}"
        f"<br/><b>Queue Count:</b> {detail[1]}<br/><b>Update Count:</b> {detail[2]}</div>"
        f"<h2>Device Usage</h2><div><b>Last Sync:</b> {usage[0]}<br/><b>Queue Count:</b> "
        f"{usage[1]}<br/><b>Update Count:</b> {usage[2]}</div><div>{note}</div>")
    text = (f"Device Sync Summary{NL}Device Details{NL}Last Sync: {detail[0]}{NL}"
            f"Queue Count: {detail[1]}{NL}Update Count: {detail[2]}{NL}Device Usage{NL}"
            f"Last Sync: {usage[0]}{NL}Queue Count: {usage[1]}{NL}Update Count: {usage[2]}{NL}"
            f"{note}")
    return text, html_body


# --- the new-plans email (F:438, 447-473) -----------------------------------------------------
def new_plans_bodies(plans: list[str]) -> tuple[str, str]:
    """(text, HTML) of ``BuildNewCommPlanEmailBody``: verbatim strings (CRLF, indentation
    kept), the list joined by ``Environment.NewLine`` in the text."""
    items = "".join(f"<li>{html.escape(plan)}</li>" for plan in plans)
    html_body = CRLF.join([
        "<html>",
        "                    <h2>New Communication Plans Added</h2>",
        "                    <p>",
        "                        These communication plans need to be associated to rate plans "
        "in order to optimize or deactivate devices.",
        "                        See bottom of Carrier Rate Plans page to edit Communication "
        "Plans.",
        "                    </p>",
        "                    <h3>Communication Plans Added:</h3>",
        "                    <ul>",
        f"                        {items}",
        "                    </ul>",
        "                </html>",
    ])
    text = CRLF.join([
        "",
        "New Communication Plans Added",
        "                    ",
        "These communication plans need to be associated to rate plans in order to optimize or "
        "deactivate devices.",
        "See bottom of Carrier Rate Plans page to edit Communication Plans.",
        "",
        "Communication Plans Added:",
        "",
        NL.join(plans),
    ])
    return text, html_body


# --- the optimization-stopped email (OptimizationUsageSyncErrorHandler.cs:25-68) --------------
def stop_subject(template: str | None, provider_name: str) -> str:
    """``string.Format(OptimizationSyncDeviceErrorEmailSubject, serviceProvider.Name)`` (:30)."""
    return dotnet_format(template or STOP_SUBJECT_FALLBACK, provider_name)


def stop_bodies(provider_name: str, error: str) -> tuple[str, str]:
    """(text, HTML) with the layout of ``BuildOptimizationSyncDeviceNotificationEmailBody``
    (:42-53): a verbatim HTML string (CRLF, indentation kept), a one-line text."""
    body = dotnet_format(STOP_BODY, provider_name)
    html_body = CRLF.join([
        "<html>",
        f"                                <h2>{STOP_HEADING}</h2>",
        f"                                <p>{html.escape(body)}</p>",
        f"                                <p>{STOP_ERROR_DETAILS}: {html.escape(error)}</p>",
        "                              </html>",
    ])
    return f"{STOP_HEADING} - {body} - {STOP_ERROR_DETAILS}: {error}", html_body


def unconfirmed_subject(provider_name: str) -> str:
    return dotnet_format(UNCONFIRMED_SUBJECT, provider_name)


def unconfirmed_bodies(provider_name: str, sender_run: str | None, provider_id: int,
                       session_id: int, error: str) -> tuple[str, str]:
    """(text, HTML) in the stop email's layout, saying what is known: sent, not confirmed."""
    body = dotnet_format(UNCONFIRMED_BODY, provider_name, sender_run or "unknown",
                         str(provider_id), str(session_id))
    html_body = CRLF.join([
        "<html>",
        f"                                <h2>{UNCONFIRMED_HEADING}</h2>",
        f"                                <p>{html.escape(body)}</p>",
        f"                                <p>{STOP_ERROR_DETAILS}: {html.escape(error)}</p>",
        "                              </html>",
    ])
    return f"{UNCONFIRMED_HEADING} - {body} - {STOP_ERROR_DETAILS}: {error}", html_body
