// The field app's queue: what was recorded on the phone, in the order it was recorded, and what became of each
// record on the server. Pure functions over plain objects (no IndexedDB, no fetch): the app stores the records,
// and tests run this module alone (tests/test_field.py, in Chromium).
//
// A record is saved the moment the team presses save, with an Idempotency-Key made then: sending it twice (a
// double tap, a retry after a lost answer, a phone killed mid-send) creates one record on the server.

export const WAITING = "waiting";
export const SENT = "sent";
export const REFUSED = "refused";
export const CONFLICT = "conflict";
export const DROPPED = "dropped";

const KINDS = {
  visit: (r) => ({ method: "POST", path: `/api/v1/households/${enc(r.house_id)}/visits` }),
  need: (r) => ({ method: "POST", path: `/api/v1/households/${enc(r.house_id)}/needs` }),
  assistance: (r) => ({ method: "POST", path: `/api/v1/households/${enc(r.house_id)}/assistance` }),
  status: (r) => ({ method: "PUT", path: `/api/v1/households/${enc(r.house_id)}/status` }),
  member: () => ({ method: "POST", path: "/api/v1/member-requests" }),
};

// A citizen ID as the server shows it to teams (the first five digits): what a record keeps once it has been sent
// or refused. A missed person's full ID, typed by the team, is on the phone only while its record waits.
export function maskId(id) {
  const d = String(id || "").replace(/\D/g, "");
  if (d.length !== 13) return "x-xxxx-xxxxx-xx-x";
  return `${d[0]}-${d.slice(1, 5)}-xxxxx-xx-x`;
}

// The Thai citizen ID's check digit (the 13th): the team hears at once that a digit was mistyped.
export function citizenIdValid(id) {
  const d = String(id || "").replace(/[\s-]/g, "");
  if (!/^\d{13}$/.test(d)) return false;
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(d[i]) * (13 - i);
  return (11 - (sum % 11)) % 10 === Number(d[12]);
}

function settled(record) {
  if (record.kind !== "member" || !record.body || !record.body.citizen_id) return record;
  return { ...record, body: { ...record.body, citizen_id: maskId(record.body.citizen_id) } };
}

function enc(s) {
  return encodeURIComponent(s);
}

export function newKey() {
  return crypto.randomUUID();
}

// A record as saved on the phone. `refs` names records of this phone the body points at ({need_id: key} for help
// given for a need recorded offline): their server ids are filled in at sending time.
export function makeRecord({ kind, house_id, year, body, refs = {}, key = newKey(), seq, seenVersion = null, now = Date.now() }) {
  if (!KINDS[kind]) throw new Error(`unknown record kind ${kind}`);
  // `key` names the record on the phone; `idem` is the Idempotency-Key of its request (the same until the team
  // decides to send a changed request, see resolve)
  return { key, idem: key, seq, kind, house_id, year, body, refs, seenVersion, state: WAITING, createdAt: now, attempts: 0 };
}

// The records still to send, oldest first.
export function pending(records) {
  return records.filter((r) => r.state === WAITING).sort((a, b) => a.seq - b.seq);
}

// What the phone must send for a record, or {blocked: reason} when a record it points at has not reached the
// server (refused, dropped or still waiting).
// `versions` holds, per household, the Logbook version the phone knows and whether only this phone wrote since
// it was prepared ({version, ours}): a status change names the version it was decided on, advanced by this
// phone's own records sent before it, so the team's own visit never makes its own status change a conflict.
export function requestFor(record, byKey, versions = {}) {
  const body = { ...record.body };
  for (const [field, key] of Object.entries(record.refs || {})) {
    const target = byKey[key];
    if (!target || target.state !== SENT || target.serverId == null) {
      return { blocked: target && (target.state === REFUSED || target.state === DROPPED) ? "refused" : "waiting" };
    }
    body[field] = target.serverId;
  }
  if (record.kind === "member") body.house_id = record.house_id;
  if (record.kind === "status") {
    const known = versions[record.house_id];
    body.version = known && known.ours && known.base === record.seenVersion ? known.version : record.seenVersion;
  }
  const { method, path } = KINDS[record.kind](record);
  return {
    method,
    path: `${path}?year=${record.year}`,
    body,
    headers: { "Content-Type": "application/json", "Idempotency-Key": record.idem || record.key },
  };
}

// What an answer means for the record: its new state and whether sending should stop for now.
export function outcome(record, status, answer) {
  const done = { ...record, attempts: (record.attempts || 0) + 1, answeredAt: Date.now() };
  if (status >= 200 && status < 300) {
    return { record: settled({ ...done, state: SENT, serverId: answer && answer.id, serverVersion: answer && answer.version, reason: null }), stop: false };
  }
  if (status === 409 && record.kind === "status") {
    return { record: { ...done, state: CONFLICT, reason: reasonOf(answer) }, stop: false };
  }
  if (status === 401) return { record, stop: true, auth: true };
  if (status === 429 || status >= 500 || status === 0) {
    // the server is busy or away: the record waits, and so does everything after it (order is kept)
    return { record: { ...done, state: WAITING }, stop: true };
  }
  return { record: settled({ ...done, state: REFUSED, reason: reasonOf(answer) }), stop: false };
}

function reasonOf(answer) {
  if (answer && typeof answer === "object") return answer.said || answer.error || JSON.stringify(answer);
  return String(answer || "");
}

// The household versions after a record was sent: continuity is kept only while the server's version is the
// one before this phone's write plus one (nobody else wrote in between).
export function advance(versions, record) {
  if (record.state !== SENT || record.serverVersion == null) return versions;
  const known = versions[record.house_id];
  const ours = !!known && known.ours && known.version + 1 === record.serverVersion;
  return { ...versions, [record.house_id]: { base: known ? known.base : null, version: record.serverVersion, ours } };
}

// Send what waits, in order, through `send(request) -> {status, answer}` (status 0: no network), keeping each
// result through `save(record)` before the next is sent. Returns {sent, refused, conflicts, stopped, auth}.
export async function sync(records, send, save, versions = {}) {
  const byKey = Object.fromEntries(records.map((r) => [r.key, r]));
  const tally = { sent: 0, refused: 0, conflicts: 0, stopped: false, auth: false, versions };
  for (const waiting of pending(records)) {
    const record = byKey[waiting.key];
    const request = requestFor(record, byKey, tally.versions);
    if (request.blocked === "refused") {
      const refused = { ...record, state: REFUSED, reason: "depends_refused" };
      byKey[record.key] = refused;
      await save(refused);
      tally.refused += 1;
      continue;
    }
    if (request.blocked) continue; // (what it points at waits for a later run)
    let answered;
    try {
      answered = await send(request);
    } catch (e) {
      answered = { status: 0, answer: String(e) };
    }
    const { record: after, stop, auth } = outcome(record, answered.status, answered.answer);
    if (auth) {
      tally.auth = true;
      tally.stopped = true;
      break;
    }
    byKey[after.key] = after;
    await save(after);
    tally.versions = advance(tally.versions, after);
    if (after.state === SENT) tally.sent += 1;
    if (after.state === REFUSED) tally.refused += 1;
    if (after.state === CONFLICT) tally.conflicts += 1;
    if (stop) {
      tally.stopped = true;
      break;
    }
  }
  return tally;
}

// The team's choice on a conflicting status change: keep theirs (the record is dropped; the server's stands) or
// keep mine (sent again, now naming the server's current version).
export function resolve(record, choice, serverVersion) {
  if (choice === "theirs") return { ...record, state: DROPPED };
  // a new request (it names another version): a new key, or the server would answer it with the first one's 409
  if (choice === "mine") return { ...record, state: WAITING, seenVersion: serverVersion, reason: null, idem: newKey() };
  throw new Error(`choose mine or theirs, got ${choice}`);
}
