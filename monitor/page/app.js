// The monitor's page: fetches the JSON API, then follows /api/stream
// (server-sent events) to update the plugins, calls and events as they
// happen. Everything a plugin sends is put in the page as text, never as
// HTML.
"use strict";

const maxRows = 200;
const token = new URLSearchParams(location.search).get("token");

// url adds the page's token, if any, to an API path.
function url(path) {
  return token ? path + "?token=" + encodeURIComponent(token) : path;
}

// el makes an element with a class and text (or children).
function el(tag, cls, ...content) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  for (const c of content) e.append(c);
  return e;
}

function clock(t) {
  const d = new Date(t);
  return el("time", "", d.toLocaleTimeString(undefined, {hour12: false}) + "." +
    String(d.getMilliseconds()).padStart(3, "0"));
}

function duration(sec) {
  if (sec >= 1) return sec.toFixed(2) + " s";
  if (sec >= 0.001) return (sec * 1000).toFixed(1) + " ms";
  return Math.round(sec * 1e6) + " µs";
}

function ago(t) {
  const s = Math.max(0, Math.round((Date.now() - new Date(t)) / 1000));
  if (s < 60) return s + " s ago";
  if (s < 3600) return Math.floor(s / 60) + " min ago";
  return Math.floor(s / 3600) + " h " + Math.floor((s % 3600) / 60) + " min ago";
}

// typeOf renders a type as the plugin describes it: its kind, or a
// struct's fields in braces ({text: string, n?: int}), after any slice or
// map part of its name.
function typeOf(e) {
  if (!e) return "";
  if (!e.fields || e.fields.length === 0) return e.type || "";
  const prefix = (e.type || "").match(/^(\[\]|\*|map\[[^\]]*\])*/)[0];
  return prefix + "{" + e.fields.map(f => f.name + (f.mandatory ? "" : "?") + ": " + typeOf(f)).join(", ") + "}";
}

function signature(m) {
  return m.name + "(" + typeOf(m.input) + ")" + (m.output ? " → " + typeOf(m.output) : "");
}

function renderPlugins(list) {
  const box = document.getElementById("plugins");
  document.getElementById("plugin-count").textContent = list.length;
  box.replaceChildren();
  if (list.length === 0) {
    box.append(el("p", "empty", "No plugin connected."));
    return;
  }
  for (const p of list) {
    const card = el("article", "card");
    card.dataset.plugin = p.name;
    card.append(el("h3", "", p.name + " ", el("span", "version", p.version || "")));
    const how = (p.protocol || "?") + " over " + (p.network || "?") + (p.remote ? " from " + p.remote : "") + ", connected ";
    const since = el("span", "since", ago(p.since));
    since.dataset.since = p.since;
    since.title = new Date(p.since).toLocaleString();
    card.append(el("div", "how", how, since));
    if (p.instances && p.instances.length) {
      const where = p.instances.map((i) => i.where || i.id).join(", ");
      card.append(el("div", "how", p.instances.length + " instance" + (p.instances.length === 1 ? "" : "s") + ": " + where));
    }
    const ul = el("ul");
    for (const m of p.methods) ul.append(el("li", "sig", signature(m)));
    card.append(ul);
    box.append(card);
  }
}

function callRow(c, fresh) {
  const tr = el("tr", fresh ? "fresh" : "");
  tr.dataset.outcome = c.outcome;
  tr.dataset.call = c.plugin + "." + c.method;
  tr.append(el("td", "", clock(c.time)), el("td", "", c.plugin + "." + c.method + (c.broadcast ? " (broadcast)" : "")),
    el("td", "num", duration(c.duration_seconds)),
    el("td", "outcome " + (c.outcome === "ok" ? "ok" : "failed"), c.outcome),
    el("td", "", c.trace || ""), el("td", "error", c.error || ""));
  return tr;
}

function addCall(c, fresh) {
  const body = document.querySelector("#calls tbody");
  body.prepend(callRow(c, fresh));
  while (body.rows.length > maxRows) body.deleteRow(-1);
}

function addEvent(e) {
  const list = document.getElementById("events");
  const li = el("li", "", clock(e.time), " ", el("span", "kind " + e.kind, e.kind), " ", e.text);
  li.dataset.kind = e.kind;
  list.prepend(li);
  while (list.children.length > maxRows) list.lastElementChild.remove();
}

function renderSummary(rows) {
  const body = document.querySelector("#methods tbody");
  body.replaceChildren();
  for (const r of rows) {
    const errs = Object.entries(r.errors).sort().map(([code, n]) => code + "=" + n).join(", ");
    const tr = el("tr");
    tr.dataset.call = r.plugin + "." + r.method;
    tr.append(el("td", "", r.plugin + "." + r.method), el("td", "num", String(r.calls)), el("td", "errors", errs),
      el("td", "num", duration(r.p50_seconds)), el("td", "num", duration(r.p95_seconds)), el("td", "num", duration(r.max_seconds)));
    body.append(tr);
  }
}

// The summary is fetched again at most once a second while calls come.
let summaryDue = null;
function refreshSummary() {
  if (summaryDue) return;
  summaryDue = setTimeout(() => {
    summaryDue = null;
    getJSON("api/summary").then(renderSummary).catch(console.error);
  }, 1000);
}

async function getJSON(path) {
  const r = await fetch(url(path));
  if (!r.ok) throw new Error(path + ": " + r.status);
  return r.json();
}

async function loadPlugins() {
  renderPlugins(await getJSON("api/plugins"));
}

async function loadAll() {
  const [plugins, calls, events, summary] = await Promise.all([getJSON("api/plugins"), getJSON("api/calls"),
    getJSON("api/events"), getJSON("api/summary")]);
  renderPlugins(plugins);
  renderSummary(summary);
  document.querySelector("#calls tbody").replaceChildren();
  for (const c of calls) addCall(c, false);
  document.getElementById("events").replaceChildren();
  for (const e of events) addEvent(e);
}

function setStatus(text, cls) {
  const s = document.getElementById("status");
  s.textContent = text;
  s.className = "status " + cls;
}

function follow() {
  const es = new EventSource(url("api/stream"));
  es.onopen = () => { setStatus("live", "live"); loadAll().catch(console.error); };
  es.onerror = () => setStatus("disconnected, retrying", "down");
  es.addEventListener("call", m => {
    addCall(JSON.parse(m.data), true);
    refreshSummary();
  });
  es.addEventListener("event", m => {
    const e = JSON.parse(m.data);
    addEvent(e);
    if (e.kind === "connect" || e.kind === "disconnect") loadPlugins().catch(console.error);
  });
  es.addEventListener("resync", () => loadAll().catch(console.error));
}

document.getElementById("metrics").href = url("metrics");
setInterval(() => {
  for (const s of document.querySelectorAll("[data-since]")) s.textContent = ago(s.dataset.since);
}, 5000);
follow();
