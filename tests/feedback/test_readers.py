"""The pieces of reading an import file, in-process: sniffing the delimiter, the format and the
encoding, recognising header rows, streaming records, value maps, date formats, the decimal
comma, and the formula cells of the download."""

import codecs
import io
from datetime import UTC, datetime

import pytest

from feedback import readers
from feedback.imports import converter, csv_item, key_path
from feedback.ingestion import Invalid, Unreadable, date_parser
from feedback.models import ImportJob
from feedback.readers import (
    CsvRecords,
    Utf8Check,
    column_names,
    detect_encoding,
    detect_format,
    header_shape,
    json_array_records,
    jsonl_records,
    qualtrics_timezone,
    sniff_delimiter,
)
from feedback.rejected import escaped, reasons_text


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("a,b,c\n1,2,3\n", ","),
        ("a;b;c\n1,5;2;x\n2,25;3;y\n", ";"),  # decimal commas vary, the semicolons do not
        ('a,b\n"x;y;z",1\n"p;q",2\n', ","),  # semicolons inside quotes do not count
        ("a\tb\tc\n1\t2\t3\n", "\t"),
        ("a|b\n1|2\n", "|"),
        ("only\none\n", ","),  # a single column: the default
        ("a;b;c\n1;2;3\n4;5", ";"),  # the sample may end in the middle of a row
    ],
)
def test_it_sniffs_the_delimiter(text, delimiter):
    assert sniff_delimiter(text) == delimiter


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("survey.csv", "[not json", "csv"),
        ("export.TSV", "a\tb", "tsv"),
        ("events.ndjson", "{}", "jsonl"),
        ("events.jsonl", "{}", "jsonl"),
        ("chats.json", '  \n[{"a": 1}]', "json"),
        ("chats.json", '{"a": 1}\n{"a": 2}', "jsonl"),  # named .json, written one a line
        ("download", "[1]", "json"),
        ("download", "a,b\n", "csv"),
    ],
)
def test_it_tells_the_format_from_the_name_else_the_content(name, text, expected):
    assert detect_format(name, text) == expected


def encoding_of(content: bytes) -> str:
    utf8 = Utf8Check()
    utf8.feed(content)
    utf8.feed(b"", final=True)
    return detect_encoding(content[: readers.SAMPLE_BYTES], utf8=utf8)


@pytest.mark.parametrize(
    ("content", "encoding"),
    [
        (b"plain ascii\n", "utf-8"),
        ("Atención, señal\n".encode(), "utf-8"),
        (codecs.BOM_UTF8 + b"x\n", "utf-8-sig"),
        ("x,ü\n".encode("utf-16"), "utf-16"),
        ("x,ü\n".encode("utf-16-be"), "utf-16-be"),  # no BOM: charset-normalizer tells
        ("canal;nota\nAtención al cliente;5\nEnvío rápido;4\n".encode("cp1252"), "cp1252"),
        ("id;komentarz\n1;Zażółć gęślą jaźń, łódź\n".encode("cp1250"), "cp1250"),
        ("id;отзыв\n1;Привет, всё отлично работает\n".encode("cp1251"), "cp1251"),
        # UTF-8 text first, then a stray Latin-1 byte: still UTF-8, that row is rejected.
        ("señal\n".encode() + "Café\n".encode("latin-1"), "utf-8"),
        # Cut in the middle of the last character.
        ("x\n10 €".encode()[:-1], "utf-8"),
    ],
)
def test_it_detects_the_encoding(content, encoding):
    assert encoding_of(content) == encoding


def qualtrics_header(quote: str = '"') -> list[list[str]]:
    zone = f"{quote}timeZone{quote}:{quote}America/Denver{quote}"
    return [
        ["StartDate", "RecordedDate", "ResponseId", "Q1"],
        ["Start Date", "Recorded Date", "Response ID", "How likely…?"],
        [
            f"{{{quote}ImportId{quote}:{quote}startDate{quote},{zone}}}",
            f"{{{quote}ImportId{quote}:{quote}recordedDate{quote},{zone}}}",
            f"{{{quote}ImportId{quote}:{quote}_recordId{quote}}}",
            f"{{{quote}ImportId{quote}:{quote}QID1{quote}}}",
        ],
        ["2026-11-20 10:00:00", "2026-11-20 10:05:00", "R_abc", "9"],
    ]


def test_it_recognises_the_header_rows_of_exports():
    assert header_shape(qualtrics_header()) == (3, "qualtrics")
    assert header_shape(qualtrics_header("'")) == (3, "qualtrics")
    legacy = [["V1", "V8", "Q1"], ["ResponseID", "StartDate", "How likely…?"], ["R_1", "x", "9"]]
    assert header_shape(legacy) == (2, "qualtrics")
    surveymonkey = [
        ["Respondent ID", "Collector ID", "How likely…?", "Which?", ""],
        ["", "", "Response", "Web", "Phone"],
        ["114239876512", "431234567", "9", "Web", ""],
    ]
    assert header_shape(surveymonkey) == (2, "surveymonkey")
    assert header_shape([["a", "b"], ["1", "2"], ["3", "4"]]) == (1, "")
    assert header_shape([]) == (1, "")


def test_surveymonkey_columns_join_the_question_and_its_label():
    header = [
        ["Respondent ID", "How likely…?", "Which channels?", "", "", "Tell us more"],
        ["", "Response", "Web", "Phone", "Other (please specify)", "Open-Ended Response"],
    ]
    assert column_names(header, "surveymonkey") == [
        "Respondent ID",
        "How likely…? - Response",
        "Which channels? - Web",
        "Which channels? - Phone",
        "Which channels? - Other (please specify)",
        "Tell us more - Open-Ended Response",
    ]
    assert column_names(header, "") == [cell.strip() for cell in header[0]]


def test_a_qualtrics_time_zone_comes_from_the_date_column():
    header = qualtrics_header()[:3]
    columns = header[0]
    assert qualtrics_timezone(header, columns, "RecordedDate") == "America/Denver"
    header[2][1] = '{"ImportId":"recordedDate","timeZone":"Z"}'
    assert qualtrics_timezone(header, columns, "RecordedDate") == "UTC"
    # A column without a zone: any other column's.
    assert qualtrics_timezone(header, columns, "Q1") == "America/Denver"
    header[2][0] = '{"ImportId":"startDate","timeZone":"Mars/Olympus"}'
    assert qualtrics_timezone(header, columns, "StartDate") == "UTC"  # no such zone: another
    assert qualtrics_timezone(header[:2], columns, "StartDate") == ""


def csv_records(text: str, header_rows: int = 1, delimiter: str = ",") -> CsvRecords:
    return CsvRecords(
        io.StringIO(text), delimiter=delimiter, header_rows=header_rows, encoding="utf-8"
    )


def test_csv_rows_are_numbered_by_the_line_they_start_on():
    records = csv_records(
        '\ufeffid,comment\n1,"two\nlines"\n\n,\n2,plain\n'
        + "3,"
        + '"'
        + "x" * 200_000
        + '"\n4,ok\n'
    )
    assert records.header == [["id", "comment"]]
    rows = list(records)
    assert [(line, value) for line, _, value in rows[:2]] == [
        (2, ["1", "two\nlines"]),
        (6, ["2", "plain"]),
    ]
    # A cell over the csv module's limit is one rejected row; reading goes on after it.
    line, cells, value = rows[2]
    assert (line, cells) == (7, [])
    assert isinstance(value, Unreadable) and "cannot be read as CSV" in value
    assert rows[3][2] == ["4", "ok"]


def test_bytes_not_in_the_encoding_reject_their_row_only():
    content = "id,comment\n1,Café\n".encode("latin-1") + b"2,fine\n"
    text = readers.text_stream(io.BytesIO(content), "utf-8")
    records = CsvRecords(text, delimiter=",", header_rows=1, encoding="utf-8")
    (line_1, cells_1, value_1), (line_2, _, value_2) = list(records)
    assert (line_1, cells_1[0]) == (2, "1")
    assert value_1 == "This row holds bytes that are not utf-8 text."
    assert readers.clean_text(cells_1[1]) == "Caf\ufffd"
    assert (line_2, value_2) == (3, ["2", "fine"])


def json_array(text: str, block: int = 7) -> list[tuple[int, str, object]]:
    return list(json_array_records(io.StringIO(text), encoding="utf-8", block=block))


def test_a_json_array_is_streamed_with_the_line_of_each_element():
    text = (
        '\ufeff[\n {"a": "x,]}{", "b": [1, {"c": "\\""}]},\n {"a": "q\\\\"}, 5,\n\n'
        ' nope, {"x":\n1}\n]\ntrailing'
    )
    found = [(line, value) for line, _, value in json_array(text)]
    assert found == [
        (2, {"a": "x,]}{", "b": [1, {"c": '"'}]}),
        (3, {"a": "q\\"}),
        (3, 5),
        (5, Unreadable("This record is not valid JSON.")),
        (5, {"x": 1}),
    ]
    # Whatever the size of the blocks it is read in.
    for block in (1, 2, 3, 64, 10_000):
        assert [(line, value) for line, _, value in json_array(text, block)] == found


def test_a_json_array_cut_short_rejects_its_last_element():
    assert [value for _, _, value in json_array('[{"a": 1}, {"b": "unfinished')] == [
        {"a": 1},
        Unreadable("This record is not valid JSON."),
    ]
    assert json_array("[]") == []


def test_a_file_that_is_no_json_array_fails(monkeypatch):
    with pytest.raises(readers.ImportFileError, match="one array of objects"):
        json_array('{"a": 1}')


def test_an_element_too_long_to_keep_is_rejected_unread(monkeypatch):
    monkeypatch.setattr(readers, "MAX_RECORD_CHARS", 50)
    text = '[{"a": 1},\n{"long": "' + "x" * 500 + '"},\n{"b": 2}]'
    found = [(line, value) for line, _, value in json_array(text, block=16)]
    assert found == [
        (1, {"a": 1}),
        (2, Unreadable("This record is longer than 50 characters.")),
        (3, {"b": 2}),
    ]


def test_json_lines_skip_blank_lines_and_keep_their_numbers():
    text = '{"a": 1}\n\n  \r\n{"b": oops}\n[1]\n'
    found = [(line, value) for line, _, value in jsonl_records(io.StringIO(text), encoding="x")]
    assert found == [(1, {"a": 1}), (4, Unreadable("This record is not valid JSON.")), (5, [1])]


def test_key_paths_reach_into_nested_objects():
    record = {"rating": {"score": 4}, "a.b": "literal", "tags": [{"name": "x"}], "n": None}
    assert key_path("rating.score")(record) == 4
    assert key_path("a.b")(record) == "literal"  # a key with a dot in it first
    assert key_path("tags.0.name")(record) == "x"
    assert key_path("rating.missing")(record) is None
    assert key_path("tags.5.name")(record) is None
    assert key_path("n.x")(record) is None


def job_with(**options) -> ImportJob:
    return ImportJob(**{"value_map": {}, "decimal": ".", "defaults": {}, **options})


def test_value_maps_match_trimmed_values_in_any_case():
    job = job_with(value_map={"csat": {"Good": 5, " bad ": 1, "offered": None}})
    convert = converter(job, "csat", tabular=True)
    assert [convert(value) for value in ["good", " GOOD ", "Bad", "Offered", "meh"]] == [
        5,
        5,
        1,
        None,
        "meh",  # left for validation to reject
    ]
    plan = [("csat", 0, convert), ("comment", 1, None)]
    # A value mapped to null leaves the field out, so that a default or nothing applies.
    assert csv_item(["offered", "ok"], plan, {"source": "zendesk"}) == {
        "source": "zendesk",
        "comment": "ok",
    }
    assert converter(job, "nps", tabular=True) is None


def test_a_decimal_comma_is_read_for_sentiment_only():
    job = job_with(decimal=",")
    assert converter(job, "sentiment", tabular=True)("-0,75") == "-0.75"
    assert converter(job, "sentiment", tabular=False)(0.5) == 0.5
    assert converter(job, "nps", tabular=True) is None
    both = job_with(decimal=",", value_map={"sentiment": {"positivo": "0,9"}})
    assert converter(both, "sentiment", tabular=True)("Positivo") == "0.9"


@pytest.mark.parametrize(
    ("date_format", "value", "expected"),
    [
        ("iso", "2026-11-20T10:00:00+01:00", datetime(2026, 11, 20, 9, tzinfo=UTC)),
        ("iso", "2026-11-20 10:00:00", datetime(2026, 11, 20, 10)),  # naive: the zone applies
        ("%m/%d/%Y %I:%M:%S %p", "11/19/2026 12:03:15 AM", datetime(2026, 11, 19, 0, 3, 15)),
        ("%m/%d/%Y %I:%M %p", " 02/01/2026 01:30 PM ", datetime(2026, 2, 1, 13, 30)),
        ("%d.%m.%Y %H:%M%z", "20.11.2026 10:00+0100", datetime(2026, 11, 20, 9, tzinfo=UTC)),
        # 1,763,596,800 s is 2025-11-20T00:00Z (1,735,689,600 for 2025-01-01 + 323 days).
        ("epoch_s", "1763596800", datetime(2025, 11, 20, tzinfo=UTC)),
        ("epoch_s", 1763596800.5, datetime(2025, 11, 20, 0, 0, 0, 500000, tzinfo=UTC)),
        ("epoch_ms", 1763634933000, datetime(2025, 11, 20, 10, 35, 33, tzinfo=UTC)),
    ],
)
def test_date_formats(date_format, value, expected):
    parsed = date_parser(date_format)(value)
    assert parsed == expected
    assert (parsed.tzinfo is None) == (expected.tzinfo is None)


@pytest.mark.parametrize(
    ("date_format", "value", "message"),
    [
        ("iso", 1763596800, "An ISO-8601 date-time with offset is required."),
        ("%m/%d/%Y", "2026-11-20", "A date-time like 11/20/2026 (%m/%d/%Y) is required."),
        ("epoch_ms", "soon", "Milliseconds since 1970-01-01 UTC are required."),
        ("epoch_s", True, "Seconds since 1970-01-01 UTC are required."),
        ("epoch_s", "1e300", "The date-time is out of range."),
        ("epoch_s", "nan", "Seconds since 1970-01-01 UTC are required."),
    ],
)
def test_a_date_in_another_format_is_an_invalid_value(date_format, value, message):
    with pytest.raises(Invalid, match=message.replace("(", r"\(").replace(")", r"\)")):
        date_parser(date_format)(value)


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-0,5", "'-0,5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tindented", "'\tindented"),
        ("\rreturn", "'\rreturn"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_cells_a_spreadsheet_would_run_are_written_with_a_quote(cell, written):
    assert escaped(cell) == written


def test_reasons_are_joined_with_their_column():
    assert reasons_text([["Score (nps)", "A whole number 0–10 is required."], ["", "Oops."]]) == (
        "Score (nps): A whole number 0–10 is required.; Oops."
    )
