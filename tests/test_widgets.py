"""components.widgets.plain_table: a table of text and links goes to the browser as data (assets/plain-table.js
writes it), anything else as components; both carry the same cells, sort keys and classes."""

from __future__ import annotations

import json

from dash import dcc, html

from components.widgets import plain_table

COLUMNS = [
    {"name": "พื้นที่", "id": "name"},
    {"name": "คน", "id": "persons", "numeric": True, "format": lambda v: f"{v:,}"},
    {"name": "สัดส่วน", "id": "share", "numeric": True, "missing": "ไม่เผยแพร่", "className": "tp-wide-only"},
]


def test_a_table_of_text_and_links_is_sent_as_data():
    rows = [
        {"name": dcc.Link("สมุทรสงคราม", href="/area/75?year=2561"), "name:sort": "สมุทรสงคราม", "persons": 1234, "share": 0.5},
        {
            "name": html.Span([dcc.Link("ตำบลก", href="/area/750101"), " · ", dcc.Link("เทศบาล", href="/area/75010101")]),
            "name:sort": "ตำบลก",
            "persons": 7,
            "share": None,
        },
    ]
    table = plain_table("th", id="t1", columns=COLUMNS, rows=rows)
    assert table.children is None  # no components inside: the browser script writes the table
    spec = json.loads(getattr(table, "data-table"))
    assert spec["id"] == "t1" and spec["sort"]  # sortable: the header buttons' hint in Thai
    assert spec["head"] == [["พื้นที่", None], ["คน", "tp-num-col"], ["สัดส่วน", "tp-num-col tp-wide-only"]]
    first, second = spec["rows"]
    assert first[0] == [{"a": "/area/75?year=2561", "t": "สมุทรสงคราม"}, "สมุทรสงคราม", None]
    assert first[1] == ["1,234", "1234", "tp-num"]  # shown formatted, sorted by the number
    assert first[2] == ["0.5", None, "tp-num tp-wide-only"]  # the same text: no separate sort key
    assert second[0][0] == {"p": [{"a": "/area/750101", "t": "ตำบลก"}, " · ", {"a": "/area/75010101", "t": "เทศบาล"}]}
    assert second[2][0] == "ไม่เผยแพร่" and second[2][1] == ""  # a missing value says so and sorts last


def test_a_cell_holding_anything_else_keeps_the_component_table():
    rows = [{"name": html.B("ตัวหนา"), "persons": 1, "share": 1.0}]
    table = plain_table("th", id="t2", columns=COLUMNS, rows=rows, sortable=False)
    assert getattr(table, "data-table", None) is None
    inner = table.children
    assert inner.id == "t2" and "tp-table" in inner.className
    head, body = inner.children
    assert [th.children for th in head.children.children] == ["พื้นที่", "คน", "สัดส่วน"]  # not sortable: no buttons
    cells = body.children[0].children
    assert isinstance(cells[0].children, html.B)
    assert cells[1].className == "tp-num" and cells[1].children == "1"


def test_a_link_off_the_app_or_with_more_than_an_address_is_not_written_by_the_script():
    for link in (dcc.Link("x", href="https://example.org/"), dcc.Link("x", href="/area/75", refresh=True)):
        table = plain_table("th", id="t3", columns=COLUMNS[:1], rows=[{"name": link}])
        assert getattr(table, "data-table", None) is None, link
