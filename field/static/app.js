// The field app: sign in once, prepare on the office Wi-Fi, record all day without a signal, send in the evening.
import "./vendor/pointInPolygon.min.js"; // sets globalThis.pointInPolygon (a UMD build)
import * as Q from "./queue.js";
import * as S from "./store.js";
import * as D from "./dates.js";
import { breakAtWords } from "./words.js";

const DIMS = ["health", "living", "education", "income", "access"];
const app = document.getElementById("app");
let words = {};
let lang = "th";
let auth = null;
let notice = null; // {key, values, kind, hash}: translated when shown, on the view it belongs to
let syncing = null;

// --- words (the project's one catalogue, served as /field/i18n.json and kept by the service worker) -------------
function say(key, values = {}, kind = "info", hash = location.hash) {
  notice = { key, values, kind, hash };
}

function t(key, values = {}) {
  const entry = words[key];
  let s = entry ? entry[lang] || entry.th : key;
  for (const [k, v] of Object.entries(values)) s = s.replaceAll(`{${k}}`, String(v));
  return s;
}

async function loadWords() {
  try {
    const r = await fetch("/field/i18n.json");
    if (r.ok) {
      words = await r.json();
      await S.setMeta("words", words);
      return;
    }
  } catch (e) {
    /* offline and not in the service worker's cache yet: the copy kept below */
  }
  words = (await S.getMeta("words")) || {};
}

// --- tiny DOM helper ---------------------------------------------------------------------------------------------
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) if (c != null && c !== false) el.append(c.nodeType ? c : String(c));
  return el;
}

function show(...children) {
  document.documentElement.lang = lang;
  document.title = t("field.title");
  app.replaceChildren(...children);
  breakAtWords(app, lang);
}

// --- the server --------------------------------------------------------------------------------------------------
async function call(method, path, body, headers = {}) {
  const r = await fetch(path, {
    method,
    headers: { ...(auth ? { Authorization: `Bearer ${auth.token}` } : {}), ...(body ? { "Content-Type": "application/json" } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
    cache: "no-store",
  });
  let answer = null;
  try {
    answer = await r.json();
  } catch (e) {
    answer = null;
  }
  return { status: r.status, answer };
}

function expired() {
  return auth && Date.parse(auth.expires_at) <= Date.now();
}

// A 401 before the token's own expiry means the account or token was revoked: nothing of the team's stays.
async function unauthorised() {
  if (expired()) {
    say("field.expired", {}, "warn");
    auth = { ...auth, token: null };
    await S.setMeta("auth", auth);
    return render();
  }
  await S.wipe();
  auth = null;
  say("field.revoked", {}, "error");
  return render();
}

// --- sign in, prepare, sync --------------------------------------------------------------------------------------
async function signIn(username, password) {
  const { status, answer } = await call("POST", "/api/v1/auth/login", { username, password });
  if (status !== 200) {
    say("field.error", { reason: (answer && (answer.said || answer.error)) || status }, "error");
    return render();
  }
  const before = await S.getMeta("auth");
  if (before && before.username !== answer.username) await S.wipe(); // another team's phone now: start clean
  auth = { token: answer.token, expires_at: answer.expires_at, username: answer.username, role: answer.role, areas: answer.areas };
  await S.setMeta("auth", auth);
  await S.setMeta("words", words);
  notice = null;
  render();
  sync();
}

async function prepare() {
  say("field.preparing");
  render();
  try {
    const { status, answer } = await call("GET", "/api/v1/field/package");
    if (status === 401) return unauthorised();
    if (status !== 200) throw new Error((answer && (answer.said || answer.error)) || status);
    const shapes = {};
    for (const amphoe of new Set(answer.tambons.map((x) => x.code.slice(0, 4)))) {
      const r = await fetch(`/shapes/tambons/${amphoe}.json`);
      if (!r.ok) continue;
      for (const f of (await r.json()).features || []) {
        if (answer.tambons.some((x) => x.code === f.properties.code)) shapes[f.properties.code] = f.geometry;
      }
    }
    const versions = Object.fromEntries(answer.households.map((x) => [x.house_id, { base: x.version, version: x.version, ours: true }]));
    const households = answer.households.map((x) => ({ ...x, year: answer.year }));
    const facts = { year: answer.year, prepared_at: answer.prepared_at, tambons: answer.tambons, kinds: answer.assistance_kinds, outcomes: answer.outcomes, statuses: answer.statuses, count: households.length };
    await S.replaceHouseholds(households, shapes, facts, versions);
    notice = null; // the list and its "prepared" line say it
  } catch (e) {
    say("field.error", { reason: e.message || e }, "error");
  }
  render();
}

async function send(request) {
  try {
    return await call(request.method, request.path, request.body, { "Idempotency-Key": request.headers["Idempotency-Key"] });
  } catch (e) {
    return { status: 0, answer: String(e) };
  }
}

// One run at a time: a second press while sending waits for the first.
export async function sync() {
  if (!auth || !auth.token || expired()) return null;
  if (syncing) return syncing;
  syncing = (async () => {
    try {
      const records = await S.records();
      if (!Q.pending(records).length) return null;
      const versions = (await S.getMeta("versions")) || {};
      const tally = await Q.sync(records, send, async (r) => {
        if (r.state === Q.CONFLICT) r.server = await serverState(r);
        await S.putRecord(r);
      }, versions);
      await S.setMeta("versions", tally.versions);
      await S.setMeta("lastSync", { at: new Date().toISOString(), reached: !tally.stopped });
      if (tally.auth) await unauthorised();
      return tally;
    } finally {
      syncing = null;
    }
  })();
  const result = await syncing;
  refresh();
  return result;
}

async function serverState(record) {
  try {
    const { status, answer } = await call("GET", `/api/v1/households/${encodeURIComponent(record.house_id)}/logbook?year=${record.year}`);
    if (status === 200) {
      const last = (answer.status_history || [])[0] || {};
      return { status: answer.status, version: answer.version, by: last.changed_by || "", at: last.changed_at || "" };
    }
  } catch (e) {
    /* offline again: the choice waits */
  }
  return null;
}

async function choose(record, choice) {
  if (choice === "mine" && !(record.server && record.server.version != null)) record.server = await serverState(record);
  if (!record.server) return;
  const resolved = Q.resolve(record, choice, record.server.version);
  await S.putRecord(resolved);
  if (choice === "theirs") {
    const hh = await S.household(record.house_id);
    if (hh) await S.putHousehold({ ...hh, status: record.server.status, version: record.server.version });
  }
  await sync();
  render();
}

// --- recording ---------------------------------------------------------------------------------------------------
async function save(kind, hh, body, refs, key, seenVersion = null) {
  const record = await S.addRecord((seq) => Q.makeRecord({ kind, house_id: hh.house_id, year: hh.year, body, refs, key, seq, seenVersion }));
  say("field.saved_here", {}, "ok", `#/h/${hh.house_id}`);
  if (kind === "status") await S.putHousehold({ ...hh, status: body.status });
  route(`#/h/${hh.house_id}`);
  sync();
  return record;
}

function gpsCheck(hh, out) {
  return new Promise((resolve) => {
    if (!navigator.geolocation) {
      out.textContent = t("field.gps_none");
      return resolve(null);
    }
    navigator.geolocation.getCurrentPosition(
      async (pos) => {
        const point = [pos.coords.longitude, pos.coords.latitude];
        const geometry = await S.shape(hh.tambon_code);
        let inside = null;
        if (geometry) {
          const polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
          inside = polygons.some((p) => globalThis.pointInPolygon(point, p) !== false);
        }
        out.textContent = inside == null ? t("field.gps_unknown") : t(inside ? "field.gps_inside" : "field.gps_outside");
        out.className = inside === false ? "gps bad" : "gps";
        resolve({ latitude: pos.coords.latitude, longitude: pos.coords.longitude });
      },
      () => {
        out.textContent = t("field.gps_none");
        resolve(null);
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 },
    );
  });
}

// --- views -------------------------------------------------------------------------------------------------------
// Buddhist-era dates as the dashboard writes them, in both languages ("7 ธ.ค. 2569", "7 Dec 2569 BE"): dates.js
function when(iso) {
  return D.beMoment(iso, lang, t);
}

function day(isoDate) {
  return D.beDate(isoDate, lang, t);
}

function dimName(d) {
  return t(`dim.${d}`);
}

function star(hh) {
  // the household's five dimensions: how many of each dimension's indicators it fails. The names are in a list
  // under the star (long Thai names beside a vertex do not fit a 360 px phone); each vertex carries its count.
  const w = 200, hgt = 176, cx = 100, cy = 92, r = 66;
  const failed = Object.fromEntries(DIMS.map((d) => [d, hh.failed_indicators.filter((i) => i.dimension === d).length]));
  const most = Math.max(1, ...Object.values(failed));
  const at = (i, k) => {
    const a = -Math.PI / 2 + (i * 2 * Math.PI) / DIMS.length;
    return [cx + Math.cos(a) * r * k, cy + Math.sin(a) * r * k];
  };
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${w} ${hgt}`);
  svg.setAttribute("class", "star");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", DIMS.map((d) => `${dimName(d)} ${failed[d]}`).join(", "));
  const poly = (pts, cls) => {
    const p = document.createElementNS(ns, "polygon");
    p.setAttribute("points", pts.map((x) => x.join(",")).join(" "));
    p.setAttribute("class", cls);
    svg.append(p);
  };
  poly(DIMS.map((_, i) => at(i, 1)), "grid");
  poly(DIMS.map((d, i) => at(i, Math.max(0.04, failed[d] / most))), "value");
  DIMS.forEach((d, i) => {
    const [x, y] = at(i, 1.2);
    const label = document.createElementNS(ns, "text");
    label.setAttribute("x", x);
    label.setAttribute("y", y);
    label.setAttribute("class", failed[d] ? "on" : "");
    label.textContent = `${i + 1}`;
    svg.append(label);
  });
  const legend = h("ol", { class: "legend" }, DIMS.map((d) => h("li", { class: failed[d] ? "on" : "" }, `${dimName(d)} ${failed[d]}`)));
  return h("figure", { class: "star-box" }, svg, legend);
}

function priority(a, b) {
  return (b.crisis - a.crisis) || (b.deprived_dimensions.length - a.deprived_dimensions.length) || (a.village_no - b.village_no) || a.house_id.localeCompare(b.house_id);
}

async function header() {
  const records = await S.records();
  const waiting = Q.pending(records).length;
  const online = navigator.onLine;
  return h(
    "header",
    {},
    h("h1", {}, t("field.title")),
    h("div", { class: "bar" },
      h("span", { id: "net", class: online ? "badge ok" : "badge off" }, t(online ? "field.online" : "field.offline")),
      h("a", { id: "queue-link", href: "#/queue", class: waiting ? "badge warn" : "badge" }, t("field.waiting_n", { n: waiting })),
      h("button", { id: "lang", type: "button", class: "link", onclick: toggleLang }, t("nav.lang")),
    ),
    notice && notice.hash === location.hash ? h("p", { id: "notice", class: `notice ${notice.kind}`, role: "status" }, t(notice.key, notice.values)) : null,
  );
}

async function toggleLang() {
  lang = lang === "th" ? "en" : "th";
  await S.setMeta("lang", lang);
  render();
}

async function signInView() {
  const user = h("input", { id: "username", autocomplete: "username", value: (auth && auth.username) || "", required: true });
  const pass = h("input", { id: "password", type: "password", autocomplete: "current-password", required: true });
  return h("form", { id: "sign-in", class: "card", onsubmit: (e) => { e.preventDefault(); signIn(user.value.trim(), pass.value); } },
    h("h2", {}, t("field.sign_in")),
    h("label", {}, t("field.username"), user),
    h("label", {}, t("field.password"), pass),
    h("button", { type: "submit", class: "primary" }, t("field.sign_in")),
  );
}

async function homeView() {
  const facts = await S.getMeta("package");
  const list = (await S.households()).sort(priority);
  const search = h("input", { id: "search", type: "search", placeholder: t("field.search"), value: sessionStorage.getItem("q") || "" });
  const ul = h("ul", { id: "households", class: "list" });
  const fill = () => {
    const q = search.value.trim();
    sessionStorage.setItem("q", q);
    const shown = list.filter((x) => !q || x.house_id.includes(q) || String(x.village_no) === q || `${t("field.village", { n: x.village_no })}`.includes(q));
    ul.replaceChildren(...shown.map((x) => h("li", {},
      h("a", { href: `#/h/${x.house_id}`, class: "household", "data-house": x.house_id },
        h("strong", {}, t("field.village", { n: x.village_no }), " · ", x.house_id.slice(-6)),
        h("span", { class: "dims" }, x.deprived_dimensions.map(dimName).join(" · ")),
        x.crisis ? h("span", { class: "badge bad" }, "3+") : null,
      ))));
  };
  search.addEventListener("input", fill);
  fill();
  return h("main", {},
    h("section", { class: "actions" },
      h("p", { id: "prepared" }, facts ? t("field.prepared", { n: facts.count, at: when(facts.prepared_at) }) : t("field.not_prepared")),
      h("button", { id: "prepare", type: "button", class: "primary", onclick: prepare }, t("field.prepare")),
      h("button", { id: "sync", type: "button", onclick: () => sync() }, t("field.sync")),
    ),
    facts ? search : null,
    ul,
    h("section", { class: "footer" },
      h("p", {}, t("field.signed_in_as", { name: auth.username })),
      h("button", { id: "sign-out", type: "button", onclick: signOut }, t("field.sign_out")),
      h("button", { id: "clear", type: "button", class: "danger", onclick: clearPhone }, t("field.clear")),
    ),
  );
}

function history(hh, records) {
  const mine = records.filter((r) => r.house_id === hh.house_id && r.state !== Q.SENT);
  const items = [
    ...mine.map((r) => h("li", { class: `mine ${r.state}`, "data-key": r.key }, `${t(`field.state.${r.state}`)} · ${label(r)}`)),
    ...hh.visits.map((v) => h("li", {}, `${day(v.visited_on)} · ${t("lb.outcome." + v.outcome)} ${v.note || ""}`)),
    ...hh.needs.map((n) => h("li", {}, `${dimName(n.dimension)} · ${n.description} (${t("lb.need_status." + n.status)})`)),
    ...hh.assistance.map((a) => h("li", {}, `${day(a.given_on)} · ${kindName(a.kind)} · ${a.agency}`)),
  ];
  return items.length ? h("ul", { class: "history" }, items) : h("p", {}, t("field.none"));
}

let kinds = {};
function kindName(code) {
  const k = kinds[code];
  return k ? (lang === "th" ? k.name_th : k.name_en) : code;
}

function label(r) {
  const b = r.body;
  if (r.kind === "visit") return `${t("lb.visit")}: ${day(b.visited_on)} ${t("lb.outcome." + b.outcome)}`;
  if (r.kind === "need") return `${t("lb.need")}: ${dimName(b.dimension)} ${b.description}`;
  if (r.kind === "member") return `${t("lb.member")}: ${b.first_name} ${b.last_name} ${Q.maskId(b.citizen_id)}`;
  if (r.kind === "assistance") return `${t("lb.assistance")}: ${kindName(b.kind)} ${b.agency}`;
  return `${t("lb.status")}: ${t("lb.ladder." + b.status)}`;
}

async function householdView(houseId) {
  const hh = await S.household(houseId);
  if (!hh) return h("p", {}, t("field.none"));
  const records = await S.records();
  return h("main", { id: "household", "data-house": hh.house_id },
    h("a", { href: "#/", class: "back" }, "‹ ", t("field.back")),
    h("h2", {}, t("field.village", { n: hh.village_no }), " · ", hh.house_id),
    hh.status ? h("p", {}, t("lb.status_now", { status: t("lb.ladder." + hh.status) })) : h("p", {}, t("lb.no_status")),
    h("div", { class: "buttons" },
      h("a", { class: "button primary", id: "go-visit", href: `#/h/${hh.house_id}/visit` }, t("lb.visit")),
      h("a", { class: "button", id: "go-need", href: `#/h/${hh.house_id}/need` }, t("lb.need")),
      h("a", { class: "button", id: "go-assistance", href: `#/h/${hh.house_id}/assistance` }, t("lb.assistance")),
      h("a", { class: "button", id: "go-status", href: `#/h/${hh.house_id}/status` }, t("lb.status")),
      h("a", { class: "button", id: "go-member", href: `#/h/${hh.house_id}/member` }, t("lb.member")),
    ),
    h("h3", {}, t("field.star")),
    star(hh),
    h("h3", {}, t("field.members", { n: hh.members.length })),
    h("ol", { class: "members", id: "members" }, hh.members.map((m) =>
      h("li", { "data-member": m.member },
        `${m.first_name} ${m.last_name} · ${m.age} · `, h("span", { class: "id" }, m.citizen_id), m.welfare_card ? ` · ${t("field.card")}` : "",
        facts(m)))),
    h("h3", {}, t("field.failed")),
    h("ul", { id: "failed" }, hh.failed_indicators.map((i) => h("li", {}, `${i.code} ${lang === "th" ? i.name_th : i.name_en}`, concerns(i)))),
    h("h3", {}, t("recv.title")),
    receipts(hh),
    h("h3", {}, t("field.history")),
    history(hh, records),
  );
}

// What the agencies' registers say of a member (issue 33): receives or not, each with its agency and as-of date.
function facts(m) {
  const list = m.registers || [];
  if (!list.length) return "";
  return h("ul", { class: "facts" }, list.map((f) => {
    const name = lang === "th" ? f.name_th : f.name_en;
    const owner = lang === "th" ? f.owner_th : f.owner_en;
    return h("li", { class: f.receives ? "yes" : "no", "data-register": f.register },
      t(f.receives ? "recv.fact.yes" : "recv.fact.no", { name }), " ",
      h("span", { class: "source" }, `(${t("recv.fact.source", { owner, date: day(f.as_of) })})`));
  }));
}

// Whom a failed indicator is about (issue 34): its members by their number in the list above, or the household.
function concerns(i) {
  if (!("concerns" in i)) return "";
  if (i.concerns === null) return ` (${t("hh.concerns_household")})`;
  return ` (${t("hh.concerns_members", { members: i.concerns.join(", ") })})`;
}

// Everything the household already receives (issue 33): the agencies' assistance rows beside the Logbook's help,
// newest first, each saying where it comes from.
function receipts(hh) {
  const rows = hh.receipts || [];
  if (!rows.length) return h("p", { id: "receipts" }, t("recv.none"));
  return h("ul", { class: "receipts", id: "receipts" }, rows.map((r) => {
    const agency = lang === "th" ? r.agency_th : r.agency_en;
    const source = r.source === "register" ? t("recv.source.register", { agency, date: day(r.as_of) }) : t("recv.source.logbook", { agency: agency || "–" });
    const who = r.member ? t("recv.member", { n: r.member }) : t("recv.household");
    const amount = r.amount ? ` · ${Math.round(r.amount).toLocaleString("en-US")} ${t("unit.baht")}` : "";
    return h("li", { "data-source": r.source },
      `${r.on ? day(r.on) : "–"} · ${lang === "th" ? r.what_th : r.what_en} · ${who}${amount}`, h("br"),
      h("span", { class: "source" }, source));
  }));
}

function field(labelKey, input) {
  if (input.tagName === "FIELDSET") return input; // a date: its legend names it, each select has its own label
  return h("label", {}, t(labelKey), input);
}

function localToday() {
  const d = new Date(); // the phone's own day (toISOString would give the UTC one: yesterday before 07:00 in Thailand)
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

// the day, month and Buddhist-era year selects the dashboard's forms have (components/dates.be_date_input)
function dateInput(id, labelKey, value, firstYear) {
  return D.dateField(id, t(labelKey), t, value, firstYear, new Date().getFullYear());
}

function select(id, options, value) {
  return h("select", { id, required: true }, options.map(([v, text]) => h("option", { value: v, selected: v === value }, text)));
}

async function formView(houseId, kind) {
  const hh = await S.household(houseId);
  const facts = await S.getMeta("package");
  if (!hh || !facts) return h("p", {}, t("field.none"));
  const key = Q.newKey(); // made when the form opens: every tap on save names the same record
  const today = localToday();
  let inputs;
  let gps = null;
  const saveButton = h("button", { type: "submit", class: "primary", id: "save" }, t("field.save"));
  const records = await S.records();
  if (kind === "visit") {
    const out = h("p", { class: "gps", id: "gps-result" });
    inputs = {
      visited_on: dateInput("visited_on", "lb.date", today, 2000),
      outcome: select("outcome", facts.outcomes.map((o) => [o, t("lb.outcome." + o)]), "verified"),
      note: h("textarea", { id: "note", rows: 3 }),
    };
    const gpsButton = h("button", { type: "button", id: "gps", onclick: async () => { gps = await gpsCheck(hh, out); } }, t("field.gps"));
    inputs._extra = [gpsButton, out];
  } else if (kind === "need") {
    inputs = {
      dimension: select("dimension", DIMS.map((d) => [d, dimName(d)]), hh.deprived_dimensions[0] || "health"),
      description: h("textarea", { id: "description", rows: 3, required: true }),
    };
  } else if (kind === "assistance") {
    const needs = [
      ["", t("field.none")],
      ...hh.needs.map((n) => [`server:${n.id}`, `${dimName(n.dimension)} · ${n.description}`]),
      ...records.filter((r) => r.kind === "need" && r.house_id === hh.house_id && r.state !== Q.REFUSED && r.state !== Q.DROPPED)
        .map((r) => [`phone:${r.key}`, `${dimName(r.body.dimension)} · ${r.body.description}`]),
    ];
    inputs = {
      given_on: dateInput("given_on", "lb.date", today, 2000),
      dimension: select("a-dimension", DIMS.map((d) => [d, dimName(d)]), hh.deprived_dimensions[0] || "health"),
      kind: select("kind", facts.kinds.map((k) => [k.code, lang === "th" ? k.name_th : k.name_en]), facts.kinds[0] && facts.kinds[0].code),
      agency: h("input", { id: "agency", required: true }),
      amount_baht: h("input", { id: "amount", type: "number", min: 0, step: "any" }),
      need: select("need", needs, needs.length > 1 ? needs[needs.length - 1][0] : ""),
    };
  } else if (kind === "member") {
    const yesNo = [["0", t("field.no")], ["1", t("field.yes")]];
    inputs = {
      citizen_id: h("input", { id: "citizen_id", inputmode: "numeric", autocomplete: "off", maxlength: 17, required: true }),
      first_name: h("input", { id: "first_name", required: true }),
      last_name: h("input", { id: "last_name", required: true }),
      sex: select("sex", [["F", t("field.sex.F")], ["M", t("field.sex.M")]], "F"),
      birth_date: dateInput("birth_date", "field.birth_date", "", 1900),
      welfare_card: select("welfare_card", yesNo, "0"),
      disabled: select("disabled", yesNo, "0"),
    };
  } else {
    inputs = {
      status: select("status", facts.statuses.map((s) => [s, t("lb.ladder." + s)]), hh.status || facts.statuses[0]),
      reason: h("textarea", { id: "reason", rows: 2, required: true }),
    };
  }
  const form = h("form", { id: `form-${kind}`, class: "card", onsubmit: async (e) => {
    e.preventDefault();
    if (kind === "member" && !Q.citizenIdValid(inputs.citizen_id.value)) {
      say("field.cid_invalid", {}, "error");
      return refresh();
    }
    saveButton.disabled = true; // the first tap saves; the rest find the record already there (same key)
    const body = {};
    const refs = {};
    for (const [k, el] of Object.entries(inputs)) {
      if (k.startsWith("_")) continue;
      if (el.isoValue) {
        const iso = el.isoValue();
        if (iso && iso.error) {
          say(iso.error, { field: t(fieldLabel(kind, k)), day: ["d", "m", "y"].map((p) => el.querySelector(`#${k}-${p}`).value).join("/") }, "error");
          saveButton.disabled = false;
          return refresh();
        }
        if (iso) body[k] = iso;
        continue;
      }
      const v = el.value.trim();
      if (k === "need") {
        if (v.startsWith("server:")) body.need_id = Number(v.slice(7));
        if (v.startsWith("phone:")) refs.need_id = v.slice(6);
      } else if (k === "citizen_id") body[k] = v.replace(/[\s-]/g, "");
      else if (v !== "") body[k] = k === "amount_baht" ? Number(v) : v;
    }
    if (gps) Object.assign(body, gps);
    await save(kind, hh, body, refs, key, kind === "status" ? hh.version : null);
  } },
  h("a", { href: `#/h/${hh.house_id}`, class: "back" }, "‹ ", t("field.back")),
  h("h2", {}, t(`lb.${kind}`), " · ", hh.house_id.slice(-6)),
  ...Object.entries(inputs).filter(([k]) => !k.startsWith("_")).map(([k, el]) => field(fieldLabel(kind, k), el)),
  ...(inputs._extra || []),
  saveButton);
  return form;
}

function fieldLabel(kind, k) {
  return { visited_on: "lb.date", given_on: "lb.date", outcome: "lb.outcome", note: "lb.note", dimension: "lb.dimension",
    description: "lb.description", kind: "lb.kind", agency: "lb.agency", amount_baht: "lb.amount", need: "lb.linked_need",
    status: "lb.need_status", reason: "lb.reason", citizen_id: "lb.citizen_id_13", first_name: "field.first_name",
    last_name: "field.last_name", sex: "field.sex", birth_date: "field.birth_date", welfare_card: "field.welfare_card",
    disabled: "field.disabled" }[k];
}

async function queueView() {
  const records = (await S.records()).slice().reverse();
  return h("main", { id: "queue" },
    h("a", { href: "#/", class: "back" }, "‹ ", t("field.back")),
    h("h2", {}, t("field.queue")),
    h("button", { id: "sync-queue", type: "button", class: "primary", onclick: () => sync() }, t("field.sync")),
    h("ul", { class: "list" }, records.map((r) => h("li", { class: `record ${r.state}`, "data-key": r.key, "data-state": r.state },
      h("strong", {}, t(`field.state.${r.state}`)), " · ", r.house_id.slice(-6), " · ", label(r),
      r.state === Q.REFUSED ? h("p", { class: "reason" }, t("field.refused_reason", { reason: r.reason === "depends_refused" ? t("field.depends_refused") : r.reason })) : null,
      r.state === Q.CONFLICT ? h("div", { class: "conflict" },
        h("p", { class: "reason" }, r.reason),
        h("button", { type: "button", class: "mine", onclick: () => choose(r, "mine") }, t("field.conflict_mine", { value: t("lb.ladder." + r.body.status) })),
        h("button", { type: "button", class: "theirs", onclick: () => choose(r, "theirs") },
          t("field.conflict_theirs", { value: r.server && r.server.status ? t("lb.ladder." + r.server.status) : "?", by: (r.server && r.server.by) || "?" })),
      ) : null))),
  );
}

async function signOut() {
  const waiting = Q.pending(await S.records()).length;
  if (waiting) {
    say("field.sign_out_waiting", { n: waiting }, "warn");
    return render();
  }
  try {
    await call("POST", "/api/v1/auth/logout");
  } catch (e) {
    /* offline: the token ends with the working day anyway, and the phone forgets it now */
  }
  await S.wipe();
  auth = null;
  notice = null;
  render();
}

async function clearPhone() {
  const waiting = Q.pending(await S.records()).length;
  if (!confirm(t("field.clear_confirm", { n: waiting }))) return;
  await S.wipe();
  auth = null;
  notice = null;
  render();
}

// --- routing -----------------------------------------------------------------------------------------------------
function route(hash) {
  if (location.hash === hash) render();
  else location.hash = hash;
}

// After a sync or a change of signal: the whole view again, except on a form, where what the team is typing stays
// and only the header (signal, records waiting) is redrawn.
async function refresh() {
  if (/\/(visit|need|assistance|status|member)$/.test(location.hash) && app.firstChild) {
    app.firstChild.replaceWith(await header());
    return;
  }
  render();
}

export async function render() {
  const facts = await S.getMeta("package");
  kinds = Object.fromEntries(((facts && facts.kinds) || []).map((k) => [k.code, k]));
  const head = await header();
  if (!auth || !auth.token) return show(head, await signInView());
  const m = location.hash.match(/^#\/h\/([^/]+)(?:\/(visit|need|assistance|status|member))?$/);
  let body;
  if (location.hash === "#/queue") body = await queueView();
  else if (m && m[2]) body = await formView(decodeURIComponent(m[1]), m[2]);
  else if (m) body = await householdView(decodeURIComponent(m[1]));
  else body = await homeView();
  show(head, body);
}

async function start() {
  lang = (await S.getMeta("lang")) || "th";
  auth = (await S.getMeta("auth")) || null;
  await loadWords();
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/field/sw.js", { scope: "/field/" }).catch(() => {});
    let had = !!navigator.serviceWorker.controller;
    navigator.serviceWorker.addEventListener("controllerchange", () => {
      if (had) {
        say("field.updated");
        render();
      }
      had = true;
    });
  }
  window.addEventListener("hashchange", render);
  window.addEventListener("online", () => { refresh(); sync(); });
  window.addEventListener("offline", refresh);
  setInterval(() => { sync(); }, 60000); // a signal that came back without an "online" event
  await render();
  document.body.dataset.ready = "1";
  sync();
}

start();
