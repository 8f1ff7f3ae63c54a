"""Committees and their orders, quarterly reports (PDF with Thai text, XLSX, the pinned route) and table exports,
on both backends: who may do what, the filing table, frozen figures, and that every export is scoped and audited."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from fpdf import FPDF
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import text

import config
from data_access import committees
from mpi.governance import quarter_of, quarter_range
from tests.utils.world import bearer, decoded, page_callback, session_client, world_for

YEAR = 2564
QUARTER = "2564-Q3"  # 1 Apr - 30 Jun 2021


def _pdf(title: str = "คำสั่งจังหวัดสมุทรสงคราม") -> bytes:
    from exports.report_pdf import FONT_DIR

    pdf = FPDF()
    pdf.add_page()
    pdf.add_font("Sarabun", "", str(FONT_DIR / "Sarabun-Regular.ttf"))
    pdf.set_font("Sarabun", "", 14)
    pdf.cell(0, 10, title)
    return bytes(pdf.output())


@pytest.fixture(scope="module")
def world(isolated_engine, tmp_path_factory):
    with world_for(isolated_engine, tmp_path_factory.mktemp("gov"), YEAR, "gov") as w:
        yield w


@pytest.fixture
def client(world):
    return world["app"].server.test_client()


def audit_count(world, action: str, object_type: str | None = None) -> int:
    sql = "SELECT COUNT(*) FROM audit_event WHERE action = :a" + (" AND object_type = :o" if object_type else "")
    with world["engine"].connect() as conn:
        return conn.execute(text(sql), {"a": action, "o": object_type}).scalar()


def upload(client, headers, unit_id: int, content: bytes, *, name="order.pdf", order_no="12/2564", order_date=None):
    if order_date is None:
        order_date = (dt.date.today() - dt.timedelta(days=5)).strftime("%d/%m/") + str(dt.date.today().year + 543)
    return client.post(
        f"/api/v1/committees/{unit_id}/orders",
        headers=headers,
        content_type="multipart/form-data",
        data={"order_no": order_no, "order_date": order_date, "file": (io.BytesIO(content), name)},
    )


# --- Committees and orders ------------------------------------------------------------------------------


def test_committee_set_up_filed_changed_and_refiled(world, client):
    province = bearer(world, "province")
    r = client.post("/api/v1/committees", headers=province, json={"kind": "province", "area_code": "75"})
    assert r.status_code == 201, r.get_json()
    unit = r.get_json()["id"]
    assert r.get_json()["name"] == "ศจพ.จ.สมุทรสงคราม"
    assert client.post("/api/v1/committees", headers=province, json={"kind": "province", "area_code": "75"}).status_code == 400
    assert client.post("/api/v1/committees", headers=province, json={"kind": "district", "area_code": "75"}).status_code == 400

    content = _pdf()
    r = upload(client, province, unit, content)
    assert r.status_code == 201, r.get_json()
    order = r.get_json()
    assert order["order_date"] == str(dt.date.today() - dt.timedelta(days=5))  # typed in the Buddhist era
    listed = client.get("/api/v1/areas/75/committees", headers=province).get_json()
    assert listed["own"]["status"] == "filed" and listed["own"]["order_no"] == "12/2564"
    # The file comes back byte for byte, to signed-in users only.
    assert client.get(order["url"], headers=bearer(world, "national")).data == content
    assert client.get(order["url"]).status_code == 401

    # A new member is a change: a new order is due within 30 days.
    r = client.post(
        f"/api/v1/committees/{unit}/members",
        headers=province,
        json={"name": "ผู้ว่าราชการจังหวัดสมุทรสงคราม", "position": "chair", "agency": "ศาลากลางจังหวัด"},
    )
    assert r.status_code == 201, r.get_json()
    own = client.get("/api/v1/areas/75/committees", headers=province).get_json()["own"]
    assert own["status"] == "due" and own["deadline"] == str(dt.date.today() + dt.timedelta(days=30))
    assert [m["position"] for m in own["members"]] == ["chair"]
    r = upload(client, province, unit, content, order_no="13/2564", order_date=str(dt.date.today()))
    assert r.status_code == 201
    own = client.get("/api/v1/areas/75/committees", headers=province).get_json()["own"]
    assert own["status"] == "filed" and own["order_no"] == "13/2564" and len(own["orders"]) == 2
    assert audit_count(world, "committee_order") >= 2


@pytest.mark.parametrize(
    "content, name, reason",
    [
        (b"hello, not a pdf", "order.pdf", "not a PDF"),
        (None, "order.docx", "must be a PDF"),
        (b"%PDF-1.4\n1 0 obj<<>>endobj\n", "order.pdf", "incomplete"),
        (b"", "order.pdf", "empty"),
    ],
)
def test_an_order_that_is_not_a_pdf_is_refused(world, client, content, name, reason):
    province = bearer(world, "province")
    unit = (
        client.get("/api/v1/areas/75/committees", headers=province).get_json()["own"]
        or client.post("/api/v1/committees", headers=province, json={"kind": "province", "area_code": "75"}).get_json()
    )
    with world["engine"].connect() as conn:
        before = conn.execute(text("SELECT COUNT(*) FROM committee_order")).scalar()
    r = upload(client, province, unit["id"], _pdf() if content is None else content, name=name)
    assert r.status_code == 400 and reason in r.get_json()["error"]
    with world["engine"].connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM committee_order")).scalar() == before


def test_an_oversized_order_is_refused(world, client, monkeypatch):
    monkeypatch.setattr(config, "_installed", [config.settings().but(order_max_bytes=2000)])  # read at use
    province = bearer(world, "province")
    unit = (
        committees.unit_for(None, "75")
        if False
        else client.get("/api/v1/areas/75/committees", headers=province).get_json()["own"]
    )
    big = _pdf() + b"%" * 3000 + b"\n%%EOF\n"
    r = upload(client, province, unit["id"], big)
    assert r.status_code == 400 and "limit" in r.get_json()["error"]


@pytest.mark.parametrize(
    "order_date, reason",
    [("31/02/2564", "not a real date"), ("15/03/2563", "before PM Office"), ("2999-01-01", "future"), ("", "write a date")],
)
def test_bad_order_dates_are_refused(world, client, order_date, reason):
    province = bearer(world, "province")
    unit = client.get("/api/v1/areas/75/committees", headers=province).get_json()["own"]
    r = upload(client, province, unit["id"], _pdf(), order_date=order_date)
    assert r.status_code == 400 and reason in r.get_json()["error"], r.get_json()


def test_who_may_manage_which_committee(world, client):
    district = bearer(world, "district")  # Mueang Samut Songkhram, 7501
    assert client.post("/api/v1/committees", headers=district, json={"kind": "district", "area_code": "7501"}).status_code == 201
    assert client.post("/api/v1/committees", headers=district, json={"kind": "district", "area_code": "7502"}).status_code == 403
    assert client.post("/api/v1/committees", headers=district, json={"kind": "province", "area_code": "75"}).status_code == 403
    province_unit = client.get("/api/v1/areas/75/committees", headers=district).get_json()["own"]
    assert upload(client, district, province_unit["id"], _pdf()).status_code == 403
    for role in ("team", "bangkok"):
        assert upload(client, bearer(world, role), province_unit["id"], _pdf()).status_code == 403
    assert (
        client.post(
            "/api/v1/committees", headers=bearer(world, "national"), json={"kind": "province", "area_code": "58"}
        ).status_code
        == 403
    )
    assert client.get("/api/v1/committees").status_code == 401


def test_national_filing_table(world, client):
    province = bearer(world, "province")
    district7502 = bearer(world, "district7502")
    unit = client.post("/api/v1/committees", headers=district7502, json={"kind": "district", "area_code": "7502"}).get_json()
    assert upload(client, district7502, unit["id"], _pdf()).status_code == 201
    items = {r["code"]: r for r in client.get("/api/v1/committees", headers=bearer(world, "national")).get_json()["items"]}
    assert len(items) == 77  # 76 provinces and Bangkok
    assert items["75"]["status"] == "filed"
    assert items["58"]["status"] == "missing" and items["58"]["unit_id"] is None  # nothing filed, past 30 Apr 2564
    # Samut Songkhram's amphoes: 7501 set up without an order, 7502 filed
    assert (items["75"]["sub_units"], items["75"]["sub_units_filed"]) == (2, 1)
    # Members typed in before the first order are its first composition: no 30-day clock, still "missing".
    unit7501 = client.get("/api/v1/areas/7501/committees", headers=province).get_json()["own"]
    assert (
        client.post(
            f"/api/v1/committees/{unit7501['id']}/members",
            headers=province,
            json={"name": "นายอำเภอเมืองสมุทรสงคราม", "position": "chair"},
        ).status_code
        == 201
    )
    amphoes = {
        r["code"]: r for r in client.get("/api/v1/committees?level=amphoe&parent=75", headers=province).get_json()["items"]
    }
    assert amphoes["7502"]["status"] == "filed" and amphoes["7501"]["status"] == "missing"
    assert amphoes["7503"]["unit_id"] is None
    # The same table as a spreadsheet, and the export is audited.
    before = audit_count(world, "export", "committee")
    r = client.get("/export/committees.xlsx?level=province", headers=province)
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.data)).active
    by_code = {row[0]: row for row in ws.iter_rows(min_row=2, values_only=True)}
    assert by_code["75"][1] == "สมุทรสงคราม" and by_code["75"][3] == "ยื่นแล้ว" and by_code["58"][3] == "ยังไม่มีคำสั่ง"
    assert audit_count(world, "export", "committee") == before + 1


def test_upload_form_of_the_page(world):
    client, csrf = session_client(world, "province")
    data = {
        "order_no": "20/2564",
        "order_date": str(dt.date.today()),
        "csrf_token": csrf,
        "file": (io.BytesIO(_pdf()), "คำสั่ง.pdf"),
    }
    r = client.post("/committees/75/orders", data=data, content_type="multipart/form-data")
    assert r.status_code == 303 and r.headers["Location"].endswith("/committees/75?filed=1")
    bad = {"order_no": "21/2564", "order_date": "x", "csrf_token": csrf, "file": (io.BytesIO(_pdf()), "a.pdf")}
    r = client.post("/committees/75/orders", data=bad, content_type="multipart/form-data")
    assert r.status_code == 303 and "error=" in r.headers["Location"]
    form = client.get(r.headers["Location"]).get_data(as_text=True)  # the form again, with the reason
    assert "order-form" in form and "write a date" in form
    district, _ = session_client(world, "district")
    assert district.get("/committees/75/orders").status_code == 403
    forged = {"order_no": "22/2564", "order_date": str(dt.date.today()), "file": (io.BytesIO(_pdf()), "a.pdf")}
    assert client.post("/committees/75/orders", data=forged, content_type="multipart/form-data").status_code == 403
    page = decoded(page_callback(client, "/committees/75", "?filed=1", csrf))
    assert "20/2564" in page and "ยื่นคำสั่งแล้ว" in page


# --- Quarterly reports -------------------------------------------------------------------------------------


def _visit(client, headers, house: str, day: dt.date):
    r = client.post(
        f"/api/v1/households/{house}/visits?year={YEAR}",
        headers=headers,
        json={"visited_on": str(day), "outcome": "verified", "note": "เยี่ยมบ้าน"},
    )
    assert r.status_code == 201, r.get_json()


def test_quarterly_report_draft_submit_pdf_and_xlsx(world, client):
    start, end = quarter_range(2564, 3)
    district = bearer(world, "district")
    team = bearer(world, "team")
    _visit(client, district, world["houses"]["7501"], start)  # inside, first day
    _visit(client, team, world["houses"]["7502"], end)  # inside, last day
    _visit(client, team, world["houses"]["7502"], end + dt.timedelta(days=1))  # the next quarter: not counted
    _visit(client, district, world["houses"]["7501"], start - dt.timedelta(days=1))  # the quarter before

    province = bearer(world, "province")
    r = client.get(f"/api/v1/reports/quarterly/75/{QUARTER}", headers=province)
    assert r.status_code == 200, r.get_json()
    rep = r.get_json()
    f = rep["figures"]
    assert rep["status"] == "none" and rep["may_write"] is True
    assert (f["visits"], f["households_visited"]) == (2, 2)
    assert (f["start"], f["end"]) == ("2021-04-01", "2021-06-30")
    area = client.get(f"/api/v1/areas/75?year={f['survey_year']}").get_json()
    assert f["target_poor_persons"] == area["target_poor_persons"]
    assert f["dimension_target_poor"] == area["dimension_target_poor"]
    ranked = {x["code"]: x for x in client.get(f"/api/v1/areas/TH/ranking?year={f['survey_year']}").get_json()["items"]}
    assert (f["crisis_ge3"], f["crisis_basic_needs"]) == (ranked["75"]["crisis_ge3"], ranked["75"]["crisis_basic_needs"])

    url = f"/api/v1/reports/quarterly/75/{QUARTER}"
    r = client.put(url, headers=province, json={"progress": "เยี่ยมบ้านครบทุกตำบล แก้ปัญหาน้ำดื่ม", "version": 0})
    assert r.status_code == 200 and r.json["status"] == "draft" and r.json["version"] == 1
    stale = client.put(url, headers=province, json={"obstacles": "งบประมาณ", "version": 0})
    assert stale.status_code == 409 and "after you opened it" in stale.get_json()["error"]
    assert client.put(url, headers=bearer(world, "district"), json={"progress": "x"}).status_code == 403
    assert client.put(url, headers=province, json={"progress": "x", "colour": "red"}).status_code == 400
    r = client.post(url + "/submit", headers=province, json={"suggestions": "ขอเพิ่มทีมพี่เลี้ยง", "version": 1})
    assert r.status_code == 200, r.get_json()
    assert r.json["status"] == "submitted" and r.json["progress"].startswith("เยี่ยมบ้าน")
    assert client.put(url, headers=province, json={"progress": "แก้ไข"}).status_code == 409

    # Frozen: a visit recorded afterwards does not change the submitted report.
    _visit(client, district, world["houses"]["7501"], start + dt.timedelta(days=10))
    assert client.get(url, headers=province).get_json()["figures"]["visits"] == 2

    # The PDF (pinned route), by bearer and by session: Thai text extractable, figures present.
    pdf_url = f"/reports/quarterly/75/{QUARTER}.pdf"
    r = client.get(pdf_url, headers=province)
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(r.data))
    text_ = "\n".join(p.extract_text() for p in reader.pages)
    assert "สมุทรสงคราม" in text_ and "ไตรมาสที่ 3 ปีงบประมาณ 2564" in text_
    assert f"{f['target_poor_persons']:,}" in text_ and "ขอเพิ่มทีมพี่เลี้ยง" in text_
    # SARA AM is split in two glyphs when shaped: the text must still read back as typed
    assert "เยี่ยมบ้านครบทุกตำบล แก้ปัญหาน้ำดื่ม" in text_ and "ดำเนินงาน" in text_
    fonts = {
        str(font.get("/BaseFont"))
        for page in reader.pages
        for font in (page.get("/Resources", {}).get("/Font", {}) or {}).values()
        for font in [font.get_object()]
    }
    assert any("Sarabun" in name for name in fonts), fonts  # the font is embedded, not left to the reader
    session, _ = session_client(world, "national")
    assert session.get(pdf_url).status_code == 200
    assert session.get(f"/reports/quarterly/75/{QUARTER}.xlsx").status_code == 200
    # Outside the province, signed out, or a malformed quarter.
    assert client.get(pdf_url, headers=bearer(world, "bangkok")).status_code == 403
    assert client.get(pdf_url).status_code == 401
    assert client.get("/reports/quarterly/75/2021-Q3.pdf", headers=province).status_code == 400
    # English edition
    r = client.get(pdf_url + "?lang=en", headers=province)
    assert "Samut Songkhram" in PdfReader(io.BytesIO(r.data)).pages[0].extract_text()

    # XLSX holds the same figures, as numbers.
    wb = load_workbook(io.BytesIO(client.get(f"/reports/quarterly/75/{QUARTER}.xlsx", headers=province).data))
    summary = {row[0]: row[1] for row in wb.worksheets[0].iter_rows(min_row=2, values_only=True)}
    assert summary["คนจนเป้าหมาย"] == f["target_poor_persons"] and summary["การเยี่ยมบ้าน"] == 2
    # issue 12: Thai labels, Buddhist-era dates, short sheet names, shares as per cent beside the counts
    assert summary["วันเริ่มไตรมาส"].endswith("2564") and "start" not in summary
    assert [ws.title for ws in wb.worksheets][:2] == ["ตัวเลขสำคัญ", "รายมิติ"]
    header = [c.value for c in wb.worksheets[1][1]]
    assert header[1] == "คนจนเป้าหมายที่ขาดมิตินี้ (คน)" and header[2].endswith("(%)")
    income = next(r for r in wb.worksheets[1].iter_rows(min_row=2, values_only=True) if r[0] == "รายได้")
    assert income[2] == round(100 * income[1] / f["target_poor_persons"], 1)
    assert audit_count(world, "export", "report") >= 4 and audit_count(world, "report_submitted") >= 1


def test_who_has_submitted(world, client):
    items = {
        r["code"]: r
        for r in client.get(f"/api/v1/reports/quarterly/{QUARTER}", headers=bearer(world, "national")).get_json()["items"]
    }
    assert items["75"]["status"] == "submitted" and items["58"]["status"] == "none"
    assert items["58"]["overdue"] is True  # the quarter ended in 2021
    r = client.get(f"/export/reports.csv?quarter={QUARTER}", headers=bearer(world, "national"))
    rows = {row["รหัส"]: row for row in csv.DictReader(io.StringIO(r.data.decode("utf-8-sig")))}
    assert rows["75"]["สถานะ"] == "ส่งแล้ว" and rows["10"]["สถานะ"] == "ยังไม่เริ่ม"
    # The national page and the province's own page render for their users.
    session, csrf = session_client(world, "national")
    page = decoded(page_callback(session, "/reports", f"?quarter={QUARTER}", csrf))
    assert "ส่งแล้ว 1" in page and "/reports/quarterly/75/2564-Q3.pdf" in page
    session, csrf = session_client(world, "province")
    page = decoded(page_callback(session, f"/reports/75/{QUARTER}", "", csrf))
    assert "ขอเพิ่มทีมพี่เลี้ยง" in page and "ส่งแล้ว" in page
    assert "report-map-province" in page and "report-star" in page  # the map as well as the star (issue 13)
    page = decoded(page_callback(session, f"/reports/58/{QUARTER}", "", csrf))
    assert "not yours to read" in page and "rep-target-poor" not in page and "report-progress" not in page


def test_a_quarter_not_started_is_refused(world, client):
    y, q = quarter_of(dt.date.today())
    nxt = f"{y + 1}-Q{q}"
    r = client.get(f"/api/v1/reports/quarterly/75/{nxt}", headers=bearer(world, "province"))
    assert r.status_code == 400 and "not started" in r.get_json()["error"]


# --- Exports: scoped, masked, audited ------------------------------------------------------------------------


def test_household_export_is_scoped_and_audited(world, client):
    district = bearer(world, "district")
    before = audit_count(world, "export", "area")
    r = client.get(f"/export/households.csv?code=75&year={YEAR}", headers=district)
    assert r.status_code == 200
    rows = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))
    assert rows[0][0] == "รหัสบ้าน" and len(rows) > 1
    assert all(row[1].startswith("7501") for row in rows[1:])  # the district sees only its own amphoe
    assert audit_count(world, "export", "area") == before + 1
    assert client.get(f"/export/households.xlsx?code=58&year={YEAR}", headers=district).status_code == 403
    assert client.get(f"/export/households.csv?code=75&year={YEAR}").status_code == 401
    assert client.get(f"/export/households.csv?code=75&year={YEAR}", headers=bearer(world, "admin")).status_code == 403
    national = client.get(f"/export/households.xlsx?code=75&year={YEAR}&rule=ge3", headers=bearer(world, "national"))
    ws = load_workbook(io.BytesIO(national.data)).active
    assert all(row[6] is True for row in ws.iter_rows(min_row=2, values_only=True))  # the crisis filter holds
    # No citizen ID or name column at all: the list shows households, not people.
    assert not any(re.search(r"\d{13}", c) for row in rows for c in row)


def test_figure_exports_equal_the_api(world, client):
    r = client.get(f"/export/children.csv?code=75&year={YEAR}&dims=health,income")
    rows = {row["รหัส"]: row for row in csv.DictReader(io.StringIO(r.data.decode("utf-8-sig")))}
    api = client.get(f"/api/v1/areas/75/children?year={YEAR}&dimensions=health,income").get_json()
    items = api["items"] if isinstance(api, dict) else api
    assert rows and set(rows) == {c["code"] for c in items}
    for c in items:
        assert int(rows[c["code"]]["คนจนเป้าหมาย"]) == c["target_poor_persons"]
    assert client.get("/export/nothing.csv").status_code == 400
    assert client.get("/export/children.pdf").status_code == 404


def test_operation_teams_are_set_up_and_file_their_orders(world, client):
    district = bearer(world, "district")  # 7501
    assert (
        client.post("/api/v1/committees", headers=district, json={"kind": "operation_team", "area_code": "750101"}).status_code
        == 400
    )  # needs a name
    r = client.post(
        "/api/v1/committees",
        headers=district,
        json={"kind": "operation_team", "area_code": "750101", "name": "ทีมปฏิบัติการตำบลแม่กลอง"},
    )
    assert r.status_code == 201
    team = r.get_json()["id"]
    session, csrf = session_client(world, "district")
    data = {
        "order_no": "5/2565",
        "order_date": str(dt.date.today()),
        "csrf_token": csrf,
        "file": (io.BytesIO(_pdf("คำสั่งอำเภอเมืองสมุทรสงคราม")), "team.pdf"),
    }
    r = session.post(f"/committees/7501/orders?unit={team}", data=data, content_type="multipart/form-data")
    assert r.status_code == 303 and r.headers["Location"].endswith("/committees/7501?filed=1")
    units = client.get("/api/v1/areas/7501/committees", headers=district).get_json()["units"]
    got = next(u for u in units if u["id"] == team)
    assert got["status"] == "filed" and got["order_no"] == "5/2565" and got["kind"] == "operation_team"
    amphoes = {
        r["code"]: r for r in client.get("/api/v1/committees?level=amphoe&parent=75", headers=district).get_json()["items"]
    }
    assert amphoes["7501"]["operation_teams"] == 1 and amphoes["7501"]["sub_units_filed"] == 1
    page = decoded(page_callback(session, "/committees/7501", "", csrf))
    assert "ทีมปฏิบัติการตำบลแม่กลอง" in page and "committee-sub-units" in page
    # another district's chief cannot file for this team
    other, csrf2 = session_client(world, "district7502")
    data["csrf_token"] = csrf2
    data["file"] = (io.BytesIO(_pdf()), "x.pdf")
    assert other.post(f"/committees/7501/orders?unit={team}", data=data, content_type="multipart/form-data").status_code == 403


# --- Issue 11: uploads and exports that attack the reader -------------------------------------------------


def _pdf_with(extra) -> bytes:
    """A real PDF (fpdf2 output) changed by `extra`, as a crafted upload would be."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_pdf())))
    extra(writer)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _javascript(w):
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

    action = DictionaryObject({NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1)")})
    w._root_object[NameObject("/Names")] = DictionaryObject(
        {
            NameObject("/JavaScript"): DictionaryObject(
                {NameObject("/Names"): ArrayObject([TextStringObject("x"), w._add_object(action)])}
            )
        }
    )


def _open_action(w):
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    w._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("calc.exe")}
    )


def _attachment(w):
    w.add_attachment("payload.exe", b"MZ\x90\x00")


@pytest.mark.parametrize(
    "craft, reason",
    [
        (lambda: _pdf_with(_javascript), "JavaScript"),
        (lambda: _pdf_with(_open_action), "a program launch"),
        (lambda: _pdf_with(_attachment), "embedded file"),
        (lambda: _pdf().replace(b"%PDF-1.3", b"%PDF-1.3\n%<html><script>alert(1)</script>", 1), "HTML or script"),
        (lambda: _pdf() + b"PK\x03\x04 a zip joined to the PDF", "after its end-of-file marker"),
        (lambda: _pdf().replace(b"/Type /Catalog", b"/Type /Catalog /Names << /J#61vaScript 3 0 R >>", 1), "JavaScript"),
    ],
)
def test_pdfs_with_active_or_foreign_content_are_refused(world, client, craft, reason):
    province = bearer(world, "province")
    unit = (
        client.get("/api/v1/areas/75/committees", headers=province).get_json()["own"]
        or client.post("/api/v1/committees", headers=province, json={"kind": "province", "area_code": "75"}).get_json()
    )
    r = upload(client, province, unit["id"], craft())
    assert r.status_code == 400 and reason in r.get_json()["error"], r.get_json()


def test_a_plain_order_pdf_passes_and_downloads_as_an_attachment(world, client):
    from data_access.committees import pdf_active_content

    assert pdf_active_content(_pdf()) is None
    province = bearer(world, "province")
    unit = (
        client.get("/api/v1/areas/75/committees", headers=province).get_json()["own"]
        or client.post("/api/v1/committees", headers=province, json={"kind": "province", "area_code": "75"}).get_json()
    )
    order = upload(client, province, unit["id"], _pdf(), order_no="77/2564").get_json()
    r = client.get(f"/api/v1/committee-orders/{order['id']}.pdf", headers=province)
    assert r.status_code == 200 and r.headers["Content-Disposition"].startswith("attachment")
    assert r.headers["X-Content-Type-Options"] == "nosniff"


def test_exported_cells_never_run_as_formulas():
    from openpyxl import load_workbook

    from exports import tables

    rows = [
        {
            "note": '=HYPERLINK("http://evil.example","click")',
            "agency": "+cmd|' /C calc'!A0",
            "n": -5,
            "who": "@SUM(1+1)",
            "dash": "-2+3",
            "plain": "อบต. บางขันแตก",
        }
    ]
    cols = [(k, k) for k in rows[0]]
    text_ = tables.render("csv", rows, cols).decode("utf-8-sig")
    assert "'=HYPERLINK" in text_ and "'+cmd" in text_ and "'@SUM" in text_ and "'-2+3" in text_ and ",-5," in text_
    ws = load_workbook(io.BytesIO(tables.render("xlsx", rows, cols))).active
    values = [c.value for c in ws[2]]
    assert values[0].startswith("'=") and values[2] == -5 and values[5] == "อบต. บางขันแตก"
    assert all(not (isinstance(v, str) and v[:1] in "=+-@") for v in values)
