"""Page chrome: top bar with breadcrumb and toggles, headline cards, the weakest-dimension sentence."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from dash import Dash, dcc, html
from dash.development.base_component import Component

from components import fmt
from components.i18n import area_name, defined, t, who
from components.view import View
from mpi.rules import DIMENSIONS


def breadcrumb(chain: Sequence[Mapping[str, Any]], view: View) -> html.Nav:
    items: list[Component] = [dcc.Link(t("nav.country", view.lang), href="/" + view.query())]
    for a in chain:
        if a["code"] == "TH":
            continue
        items += [html.Span(" › "), dcc.Link(area_name(dict(a), view.lang), href=f"/area/{a['code']}" + view.query())]
    aria: dict[str, Any] = {"aria-label": t("nav.breadcrumb", view.lang)}
    return html.Nav(items, className="tp-breadcrumb", **aria)


def account_box(view: View, here: str) -> Component:
    """Sign in, or the signed-in person with password change and sign out (a POST form with its CSRF token)."""
    from auth.context import csrf_token, current_user
    from data_access.areas import names

    user = current_user()
    if user is None:
        return dcc.Link(
            t("auth.sign_in", view.lang),
            href="/login?next=" + here,
            refresh=True,
            className="btn btn-sm btn-outline-primary ms-2 tp-chrome",
            id="sign-in-link",
        )
    return html.Span(
        [
            html.A(
                t(
                    "auth.signed_in_as",
                    view.lang,
                    name=user.full_name,
                    role=t(f"role.{user.role}", view.lang),
                    area=", ".join(area_name(dict(a), view.lang) for a in names(list(user.areas)).values()) or "–",
                ),
                href="/account/password",
                className="small ms-2",
                id="signed-in-as",
            ),
            html.Form(
                [
                    dcc.Input(type="hidden", name="csrf_token", value=csrf_token()),
                    html.Button(
                        t("auth.sign_out", view.lang),
                        type="submit",
                        className="btn btn-sm btn-outline-secondary ms-2",
                        id="sign-out",
                    ),
                ],
                method="POST",
                action="/logout",
                className="d-inline",
            ),
        ],
        className="tp-chrome",
    )


def topbar(chain: Sequence[Mapping[str, Any]], view: View, here: str) -> html.Div:
    other = "en" if view.lang == "th" else "th"
    present = (
        dcc.Link(
            t("nav.exit_present", view.lang),
            href=here + view.query(present=False),
            className="btn btn-sm btn-outline-dark tp-noprint",
        )
        if view.present
        else dcc.Link(
            t("nav.present", view.lang),
            href=here + view.query(present=True),
            className="btn btn-sm btn-outline-secondary tp-chrome",
            id="present-link",
        )
    )
    return html.Div(
        [
            # presentation mode hides the chrome, but a page keeps its level-one heading for a screen reader
            html.H1(t("app.title", view.lang), className="visually-hidden" if view.present else "tp-chrome"),
            breadcrumb(chain, view),
            html.Span(t("year.label", view.lang, year=view.year), className="badge bg-secondary"),
            html.Div(
                [
                    # the agencies' data (issue 33): which registers are in and which are missing, for everyone
                    dcc.Link(
                        t("nav.data", view.lang),
                        href="/data" + view.query(),  # the reader's view goes and comes back with them
                        className="btn btn-sm btn-outline-secondary me-2 tp-chrome",
                        id="nav-data",
                    ),
                    present,
                    html.A(
                        t("nav.lang", view.lang),
                        href=f"/lang/{other}?next=" + here + view.query(lang=other).replace("&", "%26"),
                        className="btn btn-sm btn-outline-secondary ms-2 tp-chrome",
                        id="lang-toggle",
                    ),
                    account_box(view, here),
                ],
                className="ms-auto",
            ),
        ],
        className="tp-topbar",
    )


def card(label: str, value: str, sub: str | None = None, id_: str | None = None, change: str | None = None) -> html.Div:
    kw: dict[str, Any] = {"id": id_} if id_ else {}
    changed: dict[str, Any] = {"id": f"{id_}-change"} if id_ else {}
    return html.Div(
        [
            html.Div(label, className="tp-label"),
            html.Div(value, className="tp-value", **kw),
            html.Div(sub or "", className="tp-sub"),
            html.Div(change, className="tp-sub tp-change", **changed) if change else None,
        ],
        className="tp-card",
    )


def card_change(f: dict, key: str, lang: str) -> str | None:
    """A card's change since the area's edition before (f["before"], set where both editions have the area and count
    by the same definition): "+43 (+4.8%) จากปี 2561"."""
    before = f.get("before")
    if not before or before.get(key) is None or f.get(key) is None:
        return None
    return t("card.change", lang, change=fmt.change(f[key], before[key]), year=before["year"])


def headline_cards(f: dict, lang: str, columns: int = 5) -> html.Div:
    """The area's five cards; the figures carry the definition they were counted by, and the labels say it. The
    counts say their change since the area's edition before, where there is one."""
    who = f.get("definition")
    cards = [
        card(
            t("card.surveyed_persons", lang),
            fmt.number(f["surveyed_persons"]),
            # under a life stage households are not counted (a household has members of several stages)
            None if f.get("age") else f"{fmt.number(f['surveyed_households'])} {t('unit.households', lang)}",
        ),
        card(
            t(defined("card.target_poor", who), lang),
            fmt.number(f["target_poor_persons"]),
            t("card.target_poor_sub", lang, pct=fmt.percent(f["headcount_ratio"])),
            id_="card-target-poor",
            change=card_change(f, "target_poor_persons", lang),
        ),
        card(
            t(defined("card.target_poor_households", who), lang),
            fmt.number(f["target_poor_households"]),
            None
            if f["target_poor_households"] is not None
            else t("card.not_by_stage" if f.get("age") else "card.not_published", lang),
            id_="card-target-households",
            change=card_change(f, "target_poor_households", lang),
        ),
        card(
            t("card.crisis", lang),
            fmt.number(f["crisis_persons"]),
            t("card.crisis_unit", lang),
            id_="card-crisis",
            change=card_change(f, "crisis_persons", lang),
        ),
        card(
            t("card.mpi", lang),
            fmt.index(f["mpi"]),
            t("card.mpi_sub", lang, h=fmt.percent(f["headcount_ratio"]), a=fmt.index(f["intensity"], 3)),
        ),
    ]
    return html.Div([html.Div(c, className="col") for c in cards], className=f"row g-2 row-cols-2 row-cols-md-{columns} my-2")


def dimension_shares(f: dict) -> dict[str, float]:
    tp = f["target_poor_persons"] or 0
    return {d: (f["dimension_target_poor"][d] / tp if tp else 0.0) for d in DIMENSIONS}


def weakest_sentence(f: dict, name: str, lang: str) -> str:
    shares = dimension_shares(f)
    ranked = sorted((d for d in DIMENSIONS if shares[d] > 0), key=lambda d: shares[d], reverse=True)
    counted = who(f.get("definition"), lang)
    if not ranked:
        return t("weakest.none", lang, area=name, who=counted)
    if len(ranked) == 1:  # one deprived dimension: say so, not "X and – (–)"
        return t(
            "weakest.one",
            lang,
            area=name,
            who=counted,
            first=t(f"dim.{ranked[0]}", lang),
            first_pct=fmt.percent(shares[ranked[0]], 0),
        )
    a, b = ranked[:2]
    return t(
        "weakest",
        lang,
        area=name,
        who=counted,
        first=t(f"dim.{a}", lang),
        first_pct=fmt.percent(shares[a], 0),
        second=t(f"dim.{b}", lang),
        second_pct=fmt.percent(shares[b], 0),
    )


def dimension_badges(dims: list[str], lang: str) -> list:
    return [html.Span(t(f"dim.{d}", lang), className=f"tp-dim-icon tp-dim-{d}") for d in dims]


def export_links(table: str, lang: str, **args: object) -> html.Div:
    """Download buttons beside a table: the same rows as CSV and XLSX, scoped and audited by the server."""
    from urllib.parse import urlencode

    def url(fmt: str) -> str:
        query = urlencode({k: v for k, v in (args | {"lang": lang}).items() if v not in (None, "")})
        return f"/export/{table}.{fmt}?{query}"

    return html.Div(
        [
            html.Span(t("export.label", lang) + ":", className="me-2 small"),
            *[
                html.A(
                    t(f"export.{fmt}", lang),
                    href=url(fmt),
                    id=f"export-{table}-{fmt}",
                    className="btn btn-sm btn-outline-secondary me-1 tp-chrome",
                )
                for fmt in ("csv", "xlsx")
            ],
        ],
        className="tp-export my-1",
    )


def card_row(cards: list) -> html.Div:
    """Cards side by side: two to a row on a phone, all in one row from a tablet up."""
    return html.Div(
        [html.Div(c, className="col") for c in cards],
        className=f"row g-2 row-cols-2 row-cols-md-{min(len(cards), 6)} my-2 tp-cards",
    )


def sign_in_prompt(lang: str, here: str) -> html.Div:
    """What a signed-in-only page shows a visitor: the way to sign in and come back."""
    return html.Div(
        [dcc.Link(t("auth.sign_in", lang), href=f"/login?next={here}", refresh=True, id="sign-in-link")], className="my-4"
    )


def year_not_found(view: View, years: list[int], here: str) -> html.Div:
    """A year the database does not hold: say so and name the years it does (never a blank page)."""
    return html.Div(
        [
            html.H1(t("notfound.year_title", view.lang, year=view.year)),
            html.P(t("notfound.year", view.lang, year=view.year), id="year-not-found"),
            html.Ul(
                [html.Li(dcc.Link(t("notfound.year_link", view.lang, year=y), href=here + view.query(year=y))) for y in years],
                id="known-years",
            ),
        ],
        className="my-5",
    )


# An in-place update (pages/area.py) changes the page without Dash's router, then tells the router the new address
# so that the back button works; the router would render that address again. The store below holds the address
# the screen already shows; every page's layout (guard_years) answers no_update for it, and a real render clears it.
SHOWN_STORE = "tp-shown"
SHOWN_ARG = "shown"


def register_shown_reset(app: Dash) -> None:
    """Once the router has rendered a page, the screen shows what the router asked for: forget the shown address."""
    from dash import Input, Output

    app.clientside_callback(
        "function (_children) { return null; }",
        Output(SHOWN_STORE, "data", allow_duplicate=True),
        Input("_pages_content", "children"),
        prevent_initial_call=True,
    )


def _already_shown(shown: str | None) -> bool:
    """Whether the router is asked for the address an in-place update has put on the screen already."""
    if not shown:
        return False
    import dash

    inputs = dash.callback_context.inputs if dash.callback_context else {}
    asked = (inputs.get("_pages_location.pathname") or "") + (inputs.get("_pages_location.search") or "")
    return asked == shown


def guard_years(registry: Mapping[str, dict[str, Any]], known_years: Callable[[], list[int]]) -> None:
    """Every page, once: a link whose `year` the database does not hold gets the page that names the years it
    has, instead of a blank page or an error from deep inside (wraps each registered page's layout)."""
    from components.view import parse
    from data_access.db import one_connection

    for page in registry.values():
        layout: Callable[..., Any] | None = page.get("layout")
        if layout is None or not callable(layout) or getattr(layout, "_year_guarded", False):
            continue
        render: Callable[..., Any] = layout
        template = page.get("path_template") or page.get("path") or "/"

        def guarded(*args: Any, _layout: Callable[..., Any] = render, _template: str = template, **query: Any) -> Any:
            if _already_shown(query.pop(SHOWN_ARG, None)):
                import dash

                return dash.no_update
            with one_connection():  # the whole render reads through one pooled connection
                if "year" in query:
                    view = parse(query)
                    years = known_years()
                    if years and (view.year not in years or str(query.get("year")) != str(view.year)):
                        # the page's own path, its <variables> filled from the URL, for links to the years there are
                        here = re.sub(r"<([^>]+)>", lambda m: str(query.get(m.group(1), "")), _template)
                        return year_not_found(view, years, here)
                return _layout(*args, **query)

        guarded._year_guarded = True  # type: ignore[attr-defined]
        page["layout"] = guarded


def not_found(message: str, lang: str) -> html.Div:
    return html.Div(
        [html.H1(t("notfound.title", lang)), html.P(message, id="not-found"), dcc.Link(t("nav.country", lang), href="/")],
        className="my-5",
    )
