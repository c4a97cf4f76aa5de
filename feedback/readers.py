"""How an import file is read: its encoding, format, delimiter and header rows (given with the
upload, else found in its first megabyte), then its records as a stream. No value in a file
makes a reader raise: a record that cannot be read comes as an `Unreadable`, which ingestion
rejects with its reason."""

import ast
import codecs
import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice, zip_longest
from zoneinfo import available_timezones

import charset_normalizer
import orjson
from django.utils.translation import gettext as _

from feedback.ingestion import Unreadable
from feedback.models import ImportFormat

SAMPLE_BYTES = 1024 * 1024
DELIMITERS = (",", ";", "\t", "|")
SNIFF_ROWS = 50
# A JSON line or array element longer than this is rejected without being parsed, so that one
# huge record cannot take the worker's memory.
MAX_RECORD_CHARS = 1024 * 1024
MAX_HEADER_ROWS = 20
# Single- and multi-byte encodings by how common they are in exported files.
COMMON_ENCODINGS = (
    "cp1252",
    "cp1250",
    "cp1251",
    "cp1253",
    "cp1254",
    "cp1256",
    "cp932",
    "gb18030",
    "big5",
    "euc_kr",
)
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class ImportFileError(Exception):
    """The file as a whole cannot be read; the job fails with this message."""


# Bytes that are not text in the file's encoding are decoded as lone surrogates (U+DC00 + the
# byte), which no valid text decodes to; the rows holding them are rejected. Counted, so that
# the rows of a clean file are never searched for them.
MARK_ERRORS = "truthmap.mark"
BAD_BYTES = re.compile("[\udc00-\udcff]")
SURROGATES = re.compile("[\ud800-\udfff]")
_marks = [0]


def _mark(error: UnicodeDecodeError) -> tuple[str, int]:
    _marks[0] += 1
    bad = error.object[error.start : error.end]
    return "".join(chr(0xDC00 + byte) for byte in bad), error.end


codecs.register_error(MARK_ERRORS, _mark)


def clean_text(value: str) -> str:
    """A string PostgreSQL can store: no NUL, no lone surrogate (U+FFFD instead)."""
    if "\x00" in value:
        value = value.replace("\x00", "\ufffd")
    if SURROGATES.search(value):
        value = SURROGATES.sub("\ufffd", value)
    return value


def clean(value):
    """clean_text through lists and objects."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean(key): clean(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [clean(item) for item in value]
    return value


@dataclass
class Layout:
    """How to read a file. `detected` names the settings found rather than given."""

    format: str
    encoding: str
    delimiter: str = ""
    header_rows: int | None = None
    timezone: str = ""
    detected: list[str] = field(default_factory=list)


def is_text_encoding(name: str) -> bool:
    try:
        "a".encode(name)
    except LookupError:
        return False
    return True


class Utf8Check:
    """Fed the whole upload: whether it is UTF-8, where it stops being so, and whether UTF-8
    text other than ASCII came before that point."""

    def __init__(self):
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.offset = 0
        self.failed_at: int | None = None
        self.cut_short = False
        self.multibyte = False

    def feed(self, data: bytes, final: bool = False) -> None:
        if self.failed_at is not None:
            return
        pending = len(self.decoder.getstate()[0])
        try:
            self.decoder.decode(data, final)
        except UnicodeDecodeError as exc:
            self.failed_at = max(self.offset + exc.start - pending, 0)
            self.cut_short = final and exc.reason == "unexpected end of data"
            self.multibyte = self.multibyte or not data[: max(exc.start - pending, 0)].isascii()
        else:
            self.multibyte = self.multibyte or not data.isascii()
        self.offset += len(data)

    @property
    def is_utf8(self) -> bool:
        """UTF-8 too when the file was cut in the middle of its last character, or when real
        UTF-8 text came before the first bad byte: its rows with bad bytes are rejected, rather
        than every accent read wrong."""
        return self.failed_at is None or self.cut_short or self.multibyte


def detect_encoding(sample: bytes, *, utf8: Utf8Check, around_failure: bytes = b"") -> str:
    """UTF-8 (with or without BOM) or UTF-16/32 by their BOM; else charset-normalizer's guess
    from the start of the file and the bytes where it stopped being UTF-8."""
    for bom, name in BOMS:
        if sample.startswith(bom):
            return name
    if utf8.is_utf8:
        return "utf-8"
    matches = list(charset_normalizer.from_bytes(sample[: SAMPLE_BYTES // 4] + around_failure))
    if not matches:
        return "cp1252"  # decodes nearly every byte; rows with one it cannot are rejected
    # On a few rows it ranks encodings that read the text about as well in no useful order (a
    # DOS code page first for a Spanish Excel export): of those close to its best, the one
    # most files are written in wins.
    best = matches[0]
    close = [
        match
        for match in matches
        if match.chaos <= best.chaos + 0.02 and match.coherence >= best.coherence - 0.1
    ]
    for name in COMMON_ENCODINGS:
        if any(name in match.could_be_from_charset for match in close):
            return codecs.lookup(name).name
    return codecs.lookup(best.encoding).name


def decode_sample(sample: bytes, encoding: str, *, whole: bool) -> str:
    decoder = codecs.getincrementaldecoder(encoding)(MARK_ERRORS)
    text = decoder.decode(sample, whole)
    return text[1:] if text.startswith("\ufeff") else text


def detect_format(name: str, text: str) -> str:
    name = name.lower()
    first = text.lstrip()[:1]
    if name.endswith(".csv"):
        return ImportFormat.CSV
    if name.endswith((".tsv", ".tab")):
        return ImportFormat.TSV
    if name.endswith((".jsonl", ".ndjson")):
        return ImportFormat.JSONL
    if first == "[":
        return ImportFormat.JSON
    if first == "{":
        return ImportFormat.JSONL
    return ImportFormat.CSV


def sniff_delimiter(text: str) -> str:
    """The candidate that splits the first rows into the same number (≥ 2) of cells most often,
    then into the most cells. A comma inside decimal numbers varies from row to row."""
    best, best_score = ",", (0.0, 0)
    for delimiter in DELIMITERS:
        rows = islice(csv.reader(io.StringIO(text), delimiter=delimiter), SNIFF_ROWS)
        try:
            counts = [len(row) for row in rows if any(row)]
        except csv.Error:
            continue
        if len(counts) > 1 and not text.endswith(("\n", "\r")):
            counts.pop()  # the sample may end in the middle of a row
        if not counts:
            continue
        mode = max(sorted(set(counts)), key=counts.count)
        score = (counts.count(mode) / len(counts), mode)
        if mode > 1 and score > best_score:
            best, best_score = delimiter, score
    return best


def import_id(cell: str) -> dict | None:
    """A Qualtrics third-row cell, {"ImportId": …} (single-quoted in some exports), as a dict."""
    cell = cell.strip()
    if not cell.startswith(('{"ImportId"', "{'ImportId'")):
        return None
    try:
        value = orjson.loads(cell)
    except orjson.JSONDecodeError:
        try:
            value = ast.literal_eval(cell)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return None
    return value if isinstance(value, dict) else None


RESPONSE_ID_COLUMNS = ("ResponseId", "ResponseID", "V1")
RESPONSE_ID_LABELS = {"Response ID", "ResponseID", "ResponseId"}


def header_shape(rows: list[list[str]]) -> tuple[int, str]:
    """(rows of header, the export they look like: "qualtrics", "surveymonkey" or "")."""
    if not rows:
        return 1, ""
    first = [cell.strip() for cell in rows[0]]
    if len(rows) >= 3 and any(import_id(cell) for cell in rows[2]):
        return 3, "qualtrics"
    if len(rows) >= 2:
        second = rows[1]
        for name in RESPONSE_ID_COLUMNS:
            # A legacy export: the question texts' row, and no ImportId row.
            position = first.index(name) if name in first else len(second)
            if position < len(second) and second[position].strip() in RESPONSE_ID_LABELS:
                return 2, "qualtrics"
        if "Respondent ID" in first and "Collector ID" in first:
            position = first.index("Respondent ID")
            if position >= len(second) or not second[position].strip():
                return 2, "surveymonkey"
    return 1, ""


def column_names(header: list[list[str]], shape: str) -> list[str]:
    """The names columns are mapped by: the first header row, except for SurveyMonkey, whose
    answer labels are joined to their question (carried over the columns it spans)."""
    if not header:
        return []
    if shape != "surveymonkey" or len(header) < 2:
        return [cell.strip() for cell in header[0]]
    names, question = [], ""
    for asked, label in zip_longest(header[0], header[1], fillvalue=""):
        asked, label = asked.strip(), label.strip()
        question = asked or question
        names.append(f"{question} - {label}" if question and label else question or label)
    return names


def qualtrics_timezone(header: list[list[str]], columns: list[str], date_column: str) -> str:
    """The timeZone of the ImportId of the date column, else of any column; "" if none."""
    if len(header) < 3:
        return ""
    zones = available_timezones()
    found = {}
    for name, cell in zip(columns, header[2], strict=False):
        zone = (import_id(cell) or {}).get("timeZone")
        zone = "UTC" if zone in ("Z", "UTC", "GMT") else zone
        if zone in zones:
            found.setdefault(name, zone)
    return found.get(date_column) or next(iter(found.values()), "")


def byte_order(encoding: str, head: bytes) -> str:
    """UTF-16 or UTF-32 said without the BOM they are read by: little-endian, as Windows writes
    them (Python's decoder raises, and not as a decode error, without one)."""
    name = codecs.lookup(encoding).name
    if name == "utf-16" and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16-le"
    if name == "utf-32" and not head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32-le"
    return encoding


def text_stream(binary: io.RawIOBase, encoding: str) -> io.TextIOWrapper:
    _marks[0] = 0
    buffered = io.BufferedReader(binary, buffer_size=256 * 1024)
    encoding = byte_order(encoding, buffered.peek(4)[:4])
    return io.TextIOWrapper(buffered, encoding=encoding, errors=MARK_ERRORS, newline="")


class CsvRecords:
    """A CSV or TSV file: its header rows, the names of its columns, then (line, cells, value)
    per row, value being the cells, or an Unreadable. Rows of empty cells are not rows."""

    def __init__(self, text: Iterable[str], *, delimiter: str, header_rows: int, encoding: str):
        self.reader = csv.reader(text, delimiter=delimiter)
        self.encoding = encoding
        self.header: list[list[str]] = []
        for _line, cells in self._rows():
            if not self.header and not any(cells):
                continue  # blank lines before the header
            self.header.append(cells)
            if len(self.header) == header_rows:
                break
        if any(isinstance(cells, Unreadable) for cells in self.header):
            raise ImportFileError(_("The header cannot be read as CSV: a cell is too long."))
        if self.header:
            first = self.header[0]
            if first and first[0].startswith("\ufeff"):
                first[0] = first[0][1:]
        self.shape = header_shape(self.header)[1] if header_rows > 1 else ""
        self.columns = column_names(self.header, self.shape)

    def _rows(self) -> Iterator[tuple[int, list[str] | Unreadable]]:
        """(line, cells), a record numbered by the line it starts on (quoted cells may hold
        newlines). A record the csv module refuses (a cell over its size limit) is one
        Unreadable; reading goes on after it."""
        reader = self.reader
        end = reader.line_num
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                message = _("This row cannot be read as CSV: %(error)s.") % {"error": exc}
                yield end + 1, Unreadable(message)
            else:
                yield end + 1, cells
            end = reader.line_num

    def __iter__(self) -> Iterator[tuple[int, list[str], list[str] | Unreadable]]:
        bad_bytes = Unreadable(
            _("This row holds bytes that are not %(encoding)s text.") % {"encoding": self.encoding}
        )
        for line, cells in self._rows():
            if isinstance(cells, Unreadable):
                yield line, [], cells
            elif not any(cells):
                continue
            elif _marks[0] and BAD_BYTES.search("".join(cells)):
                yield line, cells, bad_bytes
            else:
                yield line, cells, cells


def too_long() -> Unreadable:
    return Unreadable(
        _("This record is longer than %(max)s characters.") % {"max": f"{MAX_RECORD_CHARS:,}"}
    )


def _parse_json(text: str, encoding: str) -> object:
    if len(text) > MAX_RECORD_CHARS:
        return too_long()
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        if _marks[0] and BAD_BYTES.search(text):
            message = _("This record holds bytes that are not %(encoding)s text.")
            return Unreadable(message % {"encoding": encoding})
        return Unreadable(_("This record is not valid JSON."))


def jsonl_records(text: io.TextIOBase, *, encoding: str) -> Iterator[tuple[int, str, object]]:
    """(line, text, value) per non-blank line; value is the parsed JSON or an Unreadable."""
    number = 0
    while line := text.readline(MAX_RECORD_CHARS + 1):
        number += 1
        if number == 1:
            line = line.lstrip("\ufeff")
        if len(line) > MAX_RECORD_CHARS and not line.endswith(("\n", "\r")):
            while (rest := text.readline(MAX_RECORD_CHARS)) and not rest.endswith(("\n", "\r")):
                pass
            yield number, line[:1000], _parse_json(line, encoding)
            continue
        stripped = line.strip()
        if stripped:
            yield number, stripped, _parse_json(stripped, encoding)


# A string whole (one match skips a string, braces and all, in C), a string still open at the
# end of what was read so far, and the characters that give the array its structure.
JSON_TOKENS = re.compile(
    r'(?P<string>"(?:[^"\\\n]|\\.)*")|(?P<open>"(?:[^"\\\n]|\\.)*\\?\Z)|(?P<char>[\[\]{},])'
)


def json_array_records(
    text: io.TextIOBase, *, encoding: str, block: int = 256 * 1024
) -> Iterator[tuple[int, str, object]]:
    """The elements of a file holding one JSON array, streamed: (line, text, value) per
    element, the line being where it starts. Memory holds one block and one element, and an
    element over MAX_RECORD_CHARS is dropped as it is read (and rejected)."""
    buffer, position, start, line, depth = "", 0, 0, 1, 0
    oversized_line = 0  # the line of the element being dropped, if one is

    def element(end: int):
        text_ = buffer[start:end]
        body = text_.strip()
        first = line + text_.count("\n", 0, len(text_) - len(text_.lstrip()))
        if oversized_line:
            return oversized_line, "", too_long()
        return (first, body, _parse_json(body, encoding)) if body else None

    while True:
        more = text.read(block)
        eof = not more
        buffer += more
        if not depth:
            stripped = buffer.lstrip().lstrip("\ufeff").lstrip()
            if not stripped and not eof:
                continue
            if not stripped.startswith("["):
                found = stripped[:20] or "nothing"
                raise ImportFileError(
                    _("A JSON file must hold one array of objects; this one starts with %(start)s.")
                    % {"start": repr(found)}
                )
            line += buffer.count("\n", 0, len(buffer) - len(stripped))
            buffer, position, start, depth = stripped[1:], 0, 0, 1
        while depth:
            token = JSON_TOKENS.search(buffer, position)
            if token is None:
                position = len(buffer)
                break
            kind = token.lastgroup
            if kind == "open" and not eof:
                position = token.start()
                break  # the string goes on in the next block
            position = token.end()
            if kind != "char":
                continue
            char = token.group()
            if char in "[{":
                depth += 1
            elif depth > 1:
                depth -= char in "]}"
            elif char in ",]":  # a stray "}" at the top stays in its element, rejected
                if found := element(token.start()):
                    yield found
                line += buffer.count("\n", start, position)
                start, oversized_line = position, 0
                if char == "]":
                    return
        if eof:
            if found := element(len(buffer)):  # the array is not closed: the file was cut
                yield found
            return
        if position - start > MAX_RECORD_CHARS:
            if not oversized_line:
                text_ = buffer[start:position]
                oversized_line = line + text_.count("\n", 0, len(text_) - len(text_.lstrip()))
            line += buffer.count("\n", start, position)
            start = position
        # line is the line of buffer[start], which becomes buffer[0].
        buffer, position, start = buffer[start:], position - start, 0


@dataclass
class Sample:
    """What the first megabyte shows: the header and column names (CSV, TSV), or the first
    records (JSON), and an estimate of the records in the whole file."""

    header: list[list[str]] = field(default_factory=list)
    columns: list[str] | None = None
    values: list = field(default_factory=list)
    estimate: int | None = None
    complete_header: bool = True


def find_layout(
    sample: bytes, *, name: str, size: int, given: dict, utf8: Utf8Check, around: bytes = b""
) -> tuple[Layout, Sample]:
    """How to read the file: what the options give, the rest found in its first megabyte.
    Raises ImportFileError when the file cannot be read as the format it is given or found."""
    detected = []
    whole = len(sample) >= size
    encoding = given.get("encoding")
    if not encoding:
        encoding = detect_encoding(sample, utf8=utf8, around_failure=around)
        detected.append("encoding")
    elif codecs.lookup(encoding).name == "utf-8" and sample.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    else:
        encoding = byte_order(encoding, sample[:4])
    text = decode_sample(sample, encoding, whole=whole)
    file_format = given.get("format")
    if not file_format:
        file_format = detect_format(name, text)
        detected.append("format")
    layout = Layout(format=file_format, encoding=encoding, detected=detected)
    if file_format in (ImportFormat.CSV, ImportFormat.TSV):
        return layout, _csv_sample(layout, text, given=given, whole=whole, size=size)
    reader = jsonl_records if file_format == ImportFormat.JSONL else json_array_records
    records = list(islice(reader(io.StringIO(text), encoding=encoding), 10_000))
    if not whole and records:
        records.pop()  # it may be cut short
    values = [value for _, _, value in records]
    estimate = len(values) * size // max(len(sample), 1) if not whole else len(values)
    return layout, Sample(values=values, estimate=estimate)


def _csv_sample(layout: Layout, text: str, *, given: dict, whole: bool, size: int) -> Sample:
    delimiter = given.get("delimiter")
    if not delimiter:
        delimiter = "\t" if layout.format == ImportFormat.TSV else sniff_delimiter(text)
        layout.detected.append("delimiter")
        if delimiter == "\t" and "format" in layout.detected:
            layout.format = ImportFormat.TSV
    layout.delimiter = delimiter
    header_rows = given.get("header_rows")
    if header_rows is None:
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
        try:
            first = [row for row in islice(reader, 10) if any(row)][:3]
        except csv.Error:
            first = []
        header_rows = header_shape(first)[0]
        layout.detected.append("header_rows")
    layout.header_rows = header_rows
    records = CsvRecords(
        io.StringIO(text), delimiter=delimiter, header_rows=header_rows, encoding=layout.encoding
    )
    # The header is whole if a row follows it, or if the sample is the whole file.
    complete = whole or next(iter(records), None) is not None
    if records.shape == "qualtrics" and not given.get("timezone"):
        mapped = given.get("mapping", {}).get("occurred_at", "occurred_at")
        layout.timezone = qualtrics_timezone(records.header, records.columns, mapped)
        if layout.timezone:
            layout.detected.append("timezone")
    return Sample(header=records.header, columns=records.columns, complete_header=complete)
