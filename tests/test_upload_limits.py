"""Uploads an anonymous visitor or a hostile spreadsheet could use to take the server down: one
upload limit for the server and the reader, workbooks read row by row within bounds whatever
their `<dimension>` claims, zip members bounded before they are parsed (XLSX and DOCX)."""

from __future__ import annotations

import asyncio
import http.client
import io
import json
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path
from typing import Iterator

import pytest
from conftest import started
from openpyxl import Workbook
from servers import REPO, StreamlitServer

from civic import archives, extraction, intake, templates, uploads

HEADER = "program,metric,reported,period,department,group_zh,group_en,locator,note".split(",")
ROW = "leaders_walk,problems_found,700个,2024-01,zz_admin_approval,,,测试问题700个,".split(",")
SHEET = "xl/worksheets/sheet1.xml"


def workbook(*rows: list[object], corner: bool = False) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    if corner:  # a value in the sheet's last cell: its dimension claims A1:XFD1048576
        book.active["XFD1048576"] = "x"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def with_member(archive: bytes, name: str, content: bytes) -> bytes:
    """The zip with one member's content replaced (compressed, as a bomb would be)."""
    source = zipfile.ZipFile(io.BytesIO(archive))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, content if info.filename == name
                            else source.read(info.filename))
    return buffer.getvalue()


def dimension_claim(archive: bytes, claim: str = "A1:XFD1048576") -> bytes:
    sheet = zipfile.ZipFile(io.BytesIO(archive)).read(SHEET)
    return with_member(archive, SHEET, re.sub(rb'<dimension ref="[^"]*"/>',
                                              f'<dimension ref="{claim}"/>'.encode(), sheet))


def unusable(name: str, content: bytes, **limits: int) -> uploads.Unusable:
    with pytest.raises(uploads.Unusable) as caught:
        uploads.read_any(name, content, templates.KINDS, uploads.Limits(**limits))
    return caught.value


# --- one limit -----------------------------------------------------------------------------

def test_the_server_and_the_upload_reader_share_one_limit(repo_dir: Path) -> None:
    """Streamlit's upload endpoint refuses what the reader would: the same bytes, set once in
    .streamlit/config.toml; nginx lets through that much and the form around it."""
    config = tomllib.loads((repo_dir / ".streamlit" / "config.toml").read_text("utf-8"))
    megabytes = config["server"]["maxUploadSize"]
    assert megabytes * 2**20 == uploads.MAX_BYTES == uploads.Limits().max_bytes
    assert megabytes < 200  # not Streamlit's default
    nginx = (repo_dir / "deploy" / "nginx-civic.conf").read_text("utf-8")
    (body,) = re.findall(r"client_max_body_size (\d+)m;", nginx)
    assert megabytes < int(body) <= megabytes + 2


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, store_url: str) -> Iterator[str]:
    with started(StreamlitServer(tmp_path_factory.mktemp("upload") / "server.log")) as process:
        yield process.url


def while_anonymous(url: str, sizes: list[int]) -> list[int]:
    """The status of an upload of each size, sent under a new anonymous session (as a browser
    tab opening the page gets one) while it is open."""
    sys.path.insert(0, str(REPO / "scripts"))
    import bench_client

    async def sent() -> list[int]:
        session = bench_client.Session(url)
        try:
            await session.open()
            assert session.session_id
            return [await asyncio.to_thread(put_upload, url, session.session_id, size)
                    for size in sizes]
        finally:
            await session.close()
    return asyncio.run(sent())


def put_upload(url: str, session: str, size: int) -> int:
    """The status of a PUT of a `size`-byte file to the upload endpoint, as the browser sends
    one (multipart, the XSRF token in its cookie and header)."""
    from streamlit.web.server.starlette.starlette_app_utils import generate_xsrf_token_string

    token = generate_xsrf_token_string()
    boundary = "civicboundary"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"big.csv\"\r\nContent-Type: text/csv\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    body = head + b"a" * size + tail
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=60)
    try:
        connection.request("PUT", f"/_stcore/upload_file/{session}/file-1", body=body, headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "X-Xsrftoken": token, "Cookie": f"_streamlit_xsrf={token}"})
        return connection.getresponse().status
    finally:
        connection.close()


@pytest.mark.browser
def test_an_anonymous_upload_past_the_limit_is_refused_by_the_server(server: str) -> None:
    within, past = while_anonymous(server, [uploads.MAX_BYTES - 4096, uploads.MAX_BYTES + 2**20])
    assert within < 300  # taken
    assert past == 413  # refused before it is held


# --- workbooks read within bounds ----------------------------------------------------------

MEASURE = """
import json, resource, subprocess, sys
done = subprocess.run(sys.argv[1:], capture_output=True, text=True, timeout=120)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"code": done.returncode, "out": done.stdout, "err": done.stderr,
                  "peak_mb": peak}))
"""


def civic_import_peak(tmp_path: Path, upload: Path) -> dict[str, object]:
    """`civic import --dry-run` of `upload` in a process of its own: exit code, output and the
    most memory it held (MB of resident memory)."""
    civic = Path(sys.executable).with_name("civic")
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(civic), "import", str(upload), "--dry-run",
         "--source", "zzrb_20231115_walk", "--database", f"sqlite:///{tmp_path / 's.sqlite3'}"],
        capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_a_dimension_bomb_is_refused_by_civic_import_in_little_memory(tmp_path: Path) -> None:
    """A 5 KB workbook whose sheet claims, and reaches, A1:XFD1048576: a reader that believes
    the claim builds 17 billion cells (5.7 GB before a MemoryError); this one reads the rows
    the file holds and stops at the first value past the columns allowed."""
    bomb = tmp_path / "bomb.xlsx"
    bomb.write_bytes(workbook(HEADER, ROW, corner=True))
    assert bomb.stat().st_size < 6000
    assert b'<dimension ref="A1:XFD1048576"/>' in zipfile.ZipFile(bomb).read(SHEET)
    ran = civic_import_peak(tmp_path, bomb)
    assert ran["code"] == 2 and "Too many columns: row 1048576" in ran["err"], ran
    assert "Traceback" not in ran["err"]
    assert ran["peak_mb"] < 500, ran


def test_a_sheet_claiming_more_than_it_holds_is_read_by_what_it_holds() -> None:
    claimed = dimension_claim(workbook(HEADER, ROW))
    kind, sheet = uploads.read_any("up.xlsx", claimed, templates.KINDS)
    assert kind == "figures" and [n for n, _ in sheet.rows] == [2]
    assert sheet.rows[0][1]["reported"] == "700个"


def test_rows_past_the_limit_stop_the_read_before_the_rest_is_built() -> None:
    rows = [ROW] * 30
    assert unusable("up.xlsx", workbook(HEADER, *rows), max_rows=20).key == "upload.too_many_rows"
    text = "\r\n".join(",".join(r) for r in [HEADER, *rows]).encode()
    refused = unusable("up.csv", text, max_rows=20)
    assert refused.key == "upload.too_many_rows" and "21" in refused.message("en")
    # Blank rows between are not rows of data.
    spaced = [HEADER, *[row for r in rows[:10] for row in (r, [""] * 9)]]
    _, sheet = uploads.read_any("up.xlsx", workbook(*spaced), templates.KINDS,
                                uploads.Limits(max_rows=10))
    assert len(sheet.rows) == 10


def test_a_value_right_of_the_columns_allowed_refuses_the_file() -> None:
    wide = ROW + [""] * 100 + ["x"]
    for name, content in [("up.xlsx", workbook(HEADER, wide)),
                          ("up.csv", "\n".join(map(",".join, [HEADER, wide])).encode())]:
        refused = unusable(name, content)
        assert refused.key == "upload.too_many_columns"
        assert "row 2" in refused.message("en") and "第2行" in refused.message("zh")


def expanding(size: int) -> bytes:
    """Sheet XML that compresses to almost nothing and expands to `size` bytes."""
    start = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    end = b"<sheetData/></worksheet>"
    return start + b"<!--" + b"a" * (size - len(start) - len(end) - 7) + b"-->" + end


def test_a_workbook_expanding_past_its_bound_is_refused_before_it_is_parsed() -> None:
    bomb = with_member(workbook(HEADER, ROW), SHEET, expanding(archives.MAX_MEMBER + 1))
    assert len(bomb) < 200_000
    refused = unusable("up.xlsx", bomb)
    assert refused.key == "archive.member_too_large"
    assert SHEET in refused.message("en") and f"{archives.MAX_MEMBER + 1}" in refused.message("en")
    assert SHEET in refused.message("zh") and "解压后过大" in refused.message("zh")
    # The sum of the members is bounded too.
    many = workbook(HEADER, ROW)
    assert unusable("up.xlsx", many, max_unzipped=2000).key == "archive.total_too_large"


def test_a_docx_zip_bomb_is_refused_before_it_is_parsed() -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("今年共接回流浪人员3名。")
    buffer = io.BytesIO()
    document.save(buffer)
    assert "3名" in extraction.read_report_bytes("r.docx", buffer.getvalue()).text
    body = zipfile.ZipFile(io.BytesIO(buffer.getvalue())).read("word/document.xml")
    padded = body.replace(b"<w:body>", b"<w:body><!--" + b"a" * (archives.MAX_MEMBER + 1)
                          + b"-->", 1)
    bomb = with_member(buffer.getvalue(), "word/document.xml", padded)
    assert len(bomb) < 200_000
    with pytest.raises(extraction.ReportError) as caught:
        extraction.read_report_bytes("r.docx", bomb)
    assert "word/document.xml would be" in str(caught.value)
    said = caught.value.message("zh")
    assert "r.docx" in said and "word/document.xml" in said and "解压后过大" in said


def test_an_unknown_header_in_a_workbook_is_still_named() -> None:
    refused = unusable("up.xlsx", workbook(HEADER + ["extra"], ROW))
    assert refused.key == "upload.unknown_columns" and "extra" in refused.message("en")
    assert intake.FIGURE_COLUMNS[0] in refused.message("en")
