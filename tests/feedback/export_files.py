"""Files shaped like the real exports of survey and help-desk tools and of Excel, written as
those tools write them: the API's import tests, the import page's preview and the column
suggester's tests all read these."""

import codecs
import csv
import io
import json

QUALTRICS_ZONE = "America/Los_Angeles"


def csv_text(rows: list[list[str]], delimiter: str = ",") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def qualtrics_id(import_id: str, zone: str | None = None) -> str:
    value = {"ImportId": import_id} | ({"timeZone": zone} if zone else {})
    return json.dumps(value, separators=(",", ":"))


def qualtrics() -> bytes:
    """Three header rows (column ids, question texts, ImportId objects with the time zone the
    dates are in), a UTF-8 BOM and CRLF, as Qualtrics writes them."""
    zone = QUALTRICS_ZONE
    columns = [
        ("StartDate", "Start Date", qualtrics_id("startDate", zone)),
        ("EndDate", "End Date", qualtrics_id("endDate", zone)),
        ("Status", "Response Type", qualtrics_id("status")),
        ("Progress", "Progress", qualtrics_id("progress")),
        ("Finished", "Finished", qualtrics_id("finished")),
        ("RecordedDate", "Recorded Date", qualtrics_id("recordedDate", zone)),
        ("ResponseId", "Response ID", qualtrics_id("_recordId")),
        ("ExternalReference", "External Data Reference", qualtrics_id("externalDataReference")),
        ("DistributionChannel", "Distribution Channel", qualtrics_id("distributionChannel")),
        ("Q1", "How likely are you to recommend us to a friend?", qualtrics_id("QID1")),
        ("Q1_NPS_GROUP", "How likely are you to recommend us? - Group", qualtrics_id("QID1_NPS")),
        ("Q2", "Why did you give that score?", qualtrics_id("QID2_TEXT")),
    ]
    responses = [
        ["2026-11-19 14:01:02", "2026-11-19 14:05:33", "0", "100", "1", "2026-11-19 14:05:33"]
        + ["R_2aXyZ01", "CUST-1001", "email", "10", "3", "Fast, and the driver was kind"],
        ["2026-06-15 09:58:00", "2026-06-15 10:00:00", "0", "100", "1", "2026-06-15 10:00:00"]
        + ["R_3bQwE02", "CUST-1002", "anonymous", "3", "1", "Paid twice, no refund yet"],
        # Started and left: no answer, a row all the same.
        ["2026-11-20 08:00:00", "2026-11-20 08:00:09", "0", "12", "0", "2026-11-21 08:00:09"]
        + ["R_1cRtY03", "", "anonymous", "", "", ""],
    ]
    rows = [[c[0] for c in columns], [c[1] for c in columns], [c[2] for c in columns], *responses]
    return codecs.BOM_UTF8 + csv_text(rows).encode()


def zendesk() -> bytes:
    """Zendesk's satisfaction ratings: its own column names, Good/Bad ratings, a ticket status,
    a comment over two lines."""
    rows = [
        ["Ticket ID", "Subject", "Requester", "Requester email", "Group", "Assignee"]
        + [
            "Status",
            "Satisfaction Rating",
            "Satisfaction Comment",
            "Satisfaction Reason",
            "Solved at",
        ],
        ["48121", "Refund for order 5512", "Ana Ruiz", "ana@example.com", "Billing", "Sam"]
        + ["Solved", "Good", 'Sam sorted it in minutes, "thank you"', "", "2026-11-18T09:12:44Z"],
        ["48133", "Card declined", "Bo Li", "bo@example.com", "Billing", "Kim"]
        + [
            "Open",
            "Bad",
            "Third time I write.\nStill waiting.",
            "Issue took too long to resolve",
            "2026-11-18T16:40:00+01:00",
        ],
        ["48140", "Where is my parcel", "Cy Moe", "cy@example.com", "Logistics", "Sam"]
        + ["Solved", " GOOD ", "", "", "2026-11-19T07:00:00Z"],
        ["48152", "Change address", "Di Wu", "di@example.com", "Logistics", "Kim"]
        + ["Solved", "Offered", "", "", "2026-11-19T08:30:00Z"],
        ["48155", "Password reset", "Ed Po", "ed@example.com", "Accounts", "Sam"]
        + ["Pending", "Good", "", "", "2026-11-19T09:00:00Z"],
    ]
    return csv_text(rows).encode()


def surveymonkey() -> bytes:
    """Two header rows, the answer labels under their question (a multiple choice spans
    three columns), US dates with AM/PM, choices as words."""
    rows = [
        ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address", "Email Address"]
        + ["How likely is it that you would recommend Acme to a friend or colleague?"]
        + ["How satisfied were you with checkout?", "Which channels did you use?", "", ""]
        + ["What could we do better?"],
        ["", "", "", "", "", "", "Response", "Response", "Website", "Phone"]
        + ["Other (please specify)", "Open-Ended Response"],
        ["114239876512", "431234567", "11/18/2026 09:05:12 AM", "11/18/2026 09:07:40 AM"]
        + ["73.162.1.20", "ana@example.com", "9", "Very satisfied", "Website", "", "", "Nothing"],
        ["114239876990", "431234567", "11/18/2026 11:58:01 PM", "11/19/2026 12:03:15 AM"]
        + ["73.162.1.21", "bo@example.com", "2", "Very dissatisfied", "", "Phone", "Chat"]
        + ["The coupon did not apply"],
        ["114239877123", "431234567", "11/19/2026 10:00:00 AM", "19/11/2026 10:02:00"]
        + ["73.162.1.22", "cy@example.com", "7", "Neutral", "Website", "", "", ""],
    ]
    return csv_text(rows).encode()


def european_excel() -> bytes:
    """What Excel saves in Spain: semicolons, decimal commas, Windows-1252 with accents, day
    first dates in local time."""
    rows = [
        [
            "Fecha",
            "Canal",
            "Punto de contacto",
            "Cliente",
            "Valoración",
            "Sentimiento",
            "Comentario",
        ],
        [
            "20/11/2026 10:30",
            "Atención al cliente",
            "support",
            "C-001",
            "4",
            "0,75",
            "Muy amable, gracias",
        ],
        [
            "20/11/2026 18:05",
            "Tienda online",
            "checkout",
            "C-002",
            "2",
            "-0,5",
            "El pago falló dos veces",
        ],
        ["21/11/2026 09:00", "Atención al cliente", "support", "C-003", "5", "1,5", "¡Perfecto!"],
        [
            "21/11/2026 12:00",
            "Tienda online",
            "checkout",
            "C-004",
            "",
            "",
            "Envío rápido; todo bien",
        ],
    ]
    return csv_text(rows, delimiter=";").encode("cp1252")
