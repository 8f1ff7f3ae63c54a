// Dates as the dashboard writes and asks for them (components/dates.py, mpi/calendar.py): day, month by name,
// Buddhist-era year. A phone's own date picker shows the Christian era in the phone's order (12/07/2026), so a team
// wrote 2569 where 2026 was meant; three selects are as quick with a thumb and cannot be misread.
// Pure but for `dateField`, which builds the selects: the month names come with the catalogue (/field/i18n.json).
export const BE_OFFSET = 543; // Buddhist era = Christian era + 543 (mpi.calendar.BE_OFFSET)

// `t` is the app's catalogue lookup: date.month.N / date.month_short.N (1..12) in the reader's language.
export function monthName(t, month, short = false) {
  return t(`date.${short ? "month_short" : "month"}.${month}`);
}

// An ISO date as the dashboard writes it (components.fmt.be_date): "7 ธ.ค. 2569", or "7 Dec 2569 BE".
export function beDate(isoDate, lang, t) {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(isoDate || ""));
  if (!m) return "";
  const year = Number(m[1]) + BE_OFFSET;
  const text = `${Number(m[3])} ${monthName(t, Number(m[2]), true)} ${year}`;
  return lang === "en" ? `${text} BE` : text;
}

// A moment (ISO with time) on the phone's clock: the date as above, then hours and minutes.
export function beMoment(iso, lang, t) {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  const pad = (n) => String(n).padStart(2, "0");
  const local = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  return `${beDate(local, lang, t)} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

// Three selects' values put back together (components.dates.iso_from_parts): the ISO date, "" when all three are
// empty, or {error} with the catalogue key that says why (a part missing; a day the month does not have).
export function isoFromParts(day, month, yearBe) {
  if (!day && !month && !yearBe) return "";
  if (!(day && month && yearBe)) return { error: "err.date_parts" };
  const y = Number(yearBe) - BE_OFFSET, m = Number(month), d = Number(day);
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return { error: "err.date_none" };
  return `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
}

// The field: a fieldset `id` holding selects `id-d`, `id-m`, `id-y` (years newest first, from lastYear down to
// firstYear, Christian era given, Buddhist era shown). Its `isoValue()` is what isoFromParts says of the three.
export function dateField(id, legend, t, value, firstYear, lastYear) {
  const el = (tag, attrs, ...kids) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) if (v != null && v !== false) e.setAttribute(k, v === true ? "" : v);
    e.append(...kids);
    return e;
  };
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value || "");
  const chosen = m ? { d: String(Number(m[3])), m: String(Number(m[2])), y: String(Number(m[1]) + BE_OFFSET) } : { d: "", m: "", y: "" };
  const options = (values, selected) => [el("option", { value: "" }, "–"),
    ...values.map(([v, text]) => el("option", { value: v, selected: v === selected }, text))];
  const days = Array.from({ length: 31 }, (_, i) => [String(i + 1), String(i + 1)]);
  const months = Array.from({ length: 12 }, (_, i) => [String(i + 1), monthName(t, i + 1)]);
  const years = [];
  for (let y = lastYear; y >= firstYear; y -= 1) years.push([String(y + BE_OFFSET), String(y + BE_OFFSET)]);
  const part = (key, label, values) => el("label", { class: `date-${key}` }, t(label),
    el("select", { id: `${id}-${key}`, required: true }, ...options(values, chosen[key])));
  const box = el("fieldset", { id, class: "date" }, el("legend", {}, legend),
    part("d", "date.day", days), part("m", "date.month", months), part("y", "date.year_be", years));
  box.isoValue = () => isoFromParts(...["d", "m", "y"].map((k) => box.querySelector(`#${id}-${k}`).value));
  return box;
}
