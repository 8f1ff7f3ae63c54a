// What the phone keeps, in IndexedDB (through idb, vendored): it survives a closed tab, a killed app, a flat
// battery and a new version of the app. Only the team's own households are ever written here, with citizen IDs
// masked as the server sent them.
import { openDB, deleteDB } from "./vendor/idb.js";

const NAME = "tpmap-field";

function open() {
  return openDB(NAME, 1, {
    upgrade(db) {
      db.createObjectStore("meta"); // auth, the package's facts, household versions, the record counter
      db.createObjectStore("households", { keyPath: "house_id" });
      db.createObjectStore("queue", { keyPath: "key" }).createIndex("seq", "seq");
      db.createObjectStore("shapes"); // tambon code -> GeoJSON geometry, for the GPS check
    },
  });
}

let dbp = null;
function db() {
  if (!dbp) dbp = open();
  return dbp;
}

export async function getMeta(key) {
  return (await db()).get("meta", key);
}

export async function setMeta(key, value) {
  return (await db()).put("meta", value, key);
}

export async function households() {
  return (await db()).getAll("households");
}

export async function household(houseId) {
  return (await db()).get("households", houseId);
}

export async function putHousehold(h) {
  return (await db()).put("households", h);
}

// The day's package replaces the phone's households whole, in one transaction (a half-written day is not kept).
export async function replaceHouseholds(list, shapes, facts, versions) {
  const tx = (await db()).transaction(["households", "shapes", "meta"], "readwrite");
  await tx.objectStore("households").clear();
  for (const h of list) tx.objectStore("households").put(h);
  await tx.objectStore("shapes").clear();
  for (const [code, geometry] of Object.entries(shapes)) tx.objectStore("shapes").put(geometry, code);
  tx.objectStore("meta").put(facts, "package");
  tx.objectStore("meta").put(versions, "versions");
  await tx.done;
}

export async function shape(code) {
  return (await db()).get("shapes", code);
}

export async function records() {
  return (await db()).getAllFromIndex("queue", "seq");
}

export async function putRecord(record) {
  return (await db()).put("queue", record);
}

// A new record takes the next number in one transaction, so two quick saves never share one; a record whose key
// is already stored (the same form saved twice) is kept as it was.
export async function addRecord(make) {
  const tx = (await db()).transaction(["queue", "meta"], "readwrite");
  const seq = ((await tx.objectStore("meta").get("seq")) || 0) + 1;
  const record = make(seq);
  if (await tx.objectStore("queue").get(record.key)) {
    await tx.done;
    return null;
  }
  tx.objectStore("meta").put(seq, "seq");
  tx.objectStore("queue").put(record);
  await tx.done;
  return record;
}

// "Clear this phone", a sign-out, a revoked account: nothing of the team's stays behind.
export async function wipe() {
  if (dbp) (await dbp).close();
  dbp = null;
  await deleteDB(NAME);
}
