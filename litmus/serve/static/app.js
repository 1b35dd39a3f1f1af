// The page of `litmus serve`: an editor, models, a Run button, the answer of POST /api/run.
// Everything the server sends is put in the page as text (textContent), never as markup; graphs
// are SVG images, which cannot run scripts.
"use strict";

const $ = (id) => document.getElementById(id);
const CAT_STORE = "litmus.uploads"; // uploaded models stay in this tab's session, not on the server
const state = { uploads: {}, info: null, lastRun: null };

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "class") node.className = value;
    else if (key.startsWith("data-")) node.setAttribute(key, value);
    else node[key] = value;
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

// -- base64 of UTF-8 text, for the link's fragment (URL-safe) and the graphs' data URLs
function toBase64(text) {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}
function fromBase64(b64) {
  const binary = atob(b64);
  return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}
const urlSafe = (b64) => b64.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const fromUrlSafe = (s) => s.replace(/-/g, "+").replace(/_/g, "/");

// -- the editor: line numbers beside a plain textarea, the error's line as a band behind it
const source = $("source");
const gutter = $("gutter");
const band = $("error-band");
let errorLine = null;

function lineHeight() {
  return parseFloat(getComputedStyle(source).lineHeight);
}
function refreshGutter() {
  const lines = source.value.split("\n").length;
  const numbers = [];
  for (let n = 1; n <= lines; n++) numbers.push(n);
  gutter.textContent = numbers.join("\n");
  gutter.scrollTop = source.scrollTop;
  placeBand();
}
function placeBand() {
  if (errorLine === null) {
    band.hidden = true;
    return;
  }
  const padding = parseFloat(getComputedStyle(source).paddingTop);
  band.style.top = `${padding + (errorLine - 1) * lineHeight() - source.scrollTop}px`;
  band.style.height = `${lineHeight()}px`;
  band.hidden = false;
}
source.addEventListener("input", () => { clearTestError(); refreshGutter(); });
source.addEventListener("scroll", () => { gutter.scrollTop = source.scrollTop; placeBand(); });
source.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    run();
  }
});

function setTest(text, filename) {
  source.value = text;
  if (filename) $("filename").value = filename;
  clearTestError();
  refreshGutter();
  source.scrollTop = 0;
}

function goTo(line, column) {
  const lines = source.value.split("\n");
  let offset = 0;
  for (let n = 0; n < line - 1 && n < lines.length; n++) offset += lines[n].length + 1;
  offset += Math.max(0, (column || 1) - 1);
  source.focus();
  source.setSelectionRange(offset, offset);
  const target = (line - 1) * lineHeight() - source.clientHeight / 3;
  source.scrollTop = Math.max(0, target);
  placeBand();
}

function showTestError(error) {
  const where = [];
  if (error.file) where.push(error.file);
  if (error.line) where.push(`line ${error.line}`);
  if (error.column) where.push(`column ${error.column}`);
  $("error-where").textContent = (where.length ? where.join(", ") + ": " : "") + error.error;
  $("error-text").textContent = error.rendered || error.error;
  const inEditor = error.line && (!error.file || error.file === currentFilename());
  errorLine = inEditor ? error.line : null;
  $("error").dataset.line = inEditor ? String(error.line) : "";
  $("error-where").onclick = inEditor ? () => goTo(error.line, error.column) : null;
  $("error").hidden = false;
  placeBand();
  if (inEditor) goTo(error.line, error.column);
}
function clearTestError() {
  errorLine = null;
  $("error").hidden = true;
  placeBand();
}

// -- the file name labels the test (results, errors, download); the server never opens it
function currentFilename() {
  const name = $("filename").value.trim().split(/[\\/]/).pop();
  if (/\.(litmus|pb)$/.test(name)) return name;
  const stem = name.replace(/\.[^.]*$/, "") || "test";
  return stem + (/^\s*scenario\b/m.test(source.value) ? ".pb" : ".litmus");
}

$("download").addEventListener("click", () => {
  const link = el("a", { href: URL.createObjectURL(new Blob([source.value], { type: "text/plain" })),
    download: currentFilename() });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
});

// -- shipped tests, by the names the server lists
async function loadTestList() {
  const response = await fetch("/api/tests");
  const { tests } = await response.json();
  const select = $("test-list");
  const groups = new Map();
  for (const test of tests) {
    const folder = test.folder || "(top)";
    if (!groups.has(folder)) {
      const group = el("optgroup", { label: folder });
      groups.set(folder, group);
      select.append(group);
    }
    groups.get(folder).append(el("option", { value: test.name }, test.file));
  }
}
$("test-list").addEventListener("change", async (event) => {
  const name = event.target.value;
  if (!name) return;
  const path = name.split("/").map(encodeURIComponent).join("/");
  const response = await fetch(`/api/tests/${path}`);
  const body = await response.json();
  if (!response.ok) return setStatus(body.error, true);
  setTest(body.text, body.file);
  setStatus(`${body.name} loaded`);
});

// -- models: the built-in ones and the user's uploads
function modelBox(name, label, checked, extra) {
  return el("label", { class: "model" },
    el("input", { type: "checkbox", value: name, checked, "data-model": name }), " ", label, extra);
}
function renderUploads() {
  const list = $("uploaded-models");
  const ticked = new Set(selectedModels());
  list.replaceChildren();
  for (const name of Object.keys(state.uploads)) {
    const remove = el("button", { type: "button", class: "remove", title: `Forget ${name}` }, "×");
    remove.addEventListener("click", (event) => {
      event.preventDefault();
      delete state.uploads[name];
      saveUploads();
      renderUploads();
    });
    list.append(modelBox(name, name, ticked.has(name), remove));
  }
}
function saveUploads() {
  sessionStorage.setItem(CAT_STORE, JSON.stringify(state.uploads));
}
function selectedModels() {
  return [...document.querySelectorAll("#models input[type=checkbox]:checked")].map((box) => box.value);
}
function selectModels(names) {
  for (const box of document.querySelectorAll("#models input[type=checkbox]")) box.checked = names.includes(box.value);
}

$("cat-file").addEventListener("change", async (event) => {
  $("cat-error").hidden = true;
  for (const file of event.target.files) {
    const text = await file.text();
    const uploads = { ...state.uploads, [file.name]: text };
    const response = await fetch("/api/cat", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ cat: uploads }) });
    const body = await response.json();
    if (!response.ok) {
      $("cat-error-text").textContent = body.rendered || body.error;
      $("cat-error").dataset.file = body.file || file.name;
      $("cat-error").hidden = false;
      continue;
    }
    const ticked = selectedModels();
    state.uploads = uploads;
    saveUploads();
    renderUploads();
    selectModels([...ticked, file.name]);
  }
  event.target.value = "";
});

// -- running, and the link that runs the same again
function setStatus(text, bad) {
  $("status").textContent = text || "";
  $("status").classList.toggle("bad", Boolean(bad));
}

function currentRun() {
  return { test: source.value, filename: currentFilename(), models: selectedModels(), cat: state.uploads };
}

async function run() {
  const request = currentRun();
  if (!request.test.trim()) return setStatus("Write or pick a test first.", true);
  if (!request.models.length) return setStatus("Tick at least one model.", true);
  clearTestError();
  $("run").disabled = true;
  setStatus(`Running under ${request.models.join(", ")}…`);
  const started = performance.now();
  try {
    const response = await fetch("/api/run", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ ...request, graphs: true }) });
    const body = await response.json();
    if (!response.ok) {
      if (body.file && body.file in state.uploads) {
        $("cat-error-text").textContent = body.rendered || body.error;
        $("cat-error").hidden = false;
      } else {
        showTestError(body);
      }
      setStatus("The test did not run: see the error.", true);
      return;
    }
    state.lastRun = request;
    showResults(body, request);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    setStatus(`${body.results.length} result${body.results.length === 1 ? "" : "s"} in ${seconds} s`);
  } catch (error) {
    setStatus(`No answer from the server (${error.message}).`, true);
  } finally {
    $("run").disabled = false;
  }
}
$("run").addEventListener("click", run);

function permalink(request) {
  return "#run=" + urlSafe(toBase64(JSON.stringify(request)));
}
function restoreFromLink() {
  const match = location.hash.match(/^#run=([A-Za-z0-9_-]+)$/);
  if (!match) return false;
  try {
    const request = JSON.parse(fromBase64(fromUrlSafe(match[1])));
    state.uploads = request.cat || {};
    saveUploads();
    renderUploads();
    setTest(request.test || "", request.filename);
    selectModels(request.models || []);
    return true;
  } catch (error) {
    setStatus("That link is damaged: it holds no run.", true);
    return false;
  }
}

// -- the answer: the verdict table, then per test and model the states, graph and why
const VERDICT_CLASS = { Never: "never", Sometimes: "sometimes", Always: "always", Unknown: "unknown",
  error: "failed", "n/m": "nm" };
function verdictClass(cell) {
  return VERDICT_CLASS[cell.split(" ")[0]] || "other";
}
function stateText(state) {
  return Object.entries(state).map(([loc, value]) => `${loc}=${value};`).join(" ");
}

function showResults(answer, request) {
  const models = answer.models;
  const head = el("tr", {}, el("th", {}, "test"), ...models.map((m) => el("th", {}, m)),
    el("th", { title: "the models disagree" }, "differ"), el("th", {}, "allowed by one model, not another"));
  $("verdicts").tHead.replaceChildren(head);
  const body = $("verdicts").tBodies[0];
  body.replaceChildren();
  const index = new Map(answer.results.map((r, i) => [`${r.file}\u0000${r.model}`, i]));
  for (const row of answer.compare) {
    const cells = models.map((model) => {
      const word = row.verdicts[model] || "";
      const target = index.get(`${row.file}\u0000${model}`);
      const button = el("button", { type: "button", class: `verdict ${verdictClass(word)}`,
        "data-model": model, "data-test": row.test }, word);
      button.addEventListener("click", () => openResult(target));
      return el("td", {}, button);
    });
    const diffs = row.extra_states.map((d) =>
      `${d.weaker} not ${d.stronger}: ${d.states.map(stateText).join(" | ")}`).join("   ");
    body.append(el("tr", { class: row.differ ? "differ" : "" }, el("th", { scope: "row" }, row.test), ...cells,
      el("td", { class: "star" }, row.differ ? "*" : ""), el("td", { class: "diffs" }, diffs)));
  }
  $("table-text").textContent = answer.table;
  const link = permalink(request);
  $("permalink").href = link;
  history.replaceState(null, "", link);
  $("command").textContent = answer.command;
  $("details").replaceChildren(...answer.results.map(resultDetails));
  $("output").hidden = false;
}

function openResult(i) {
  const details = document.getElementById(`result-${i}`);
  if (!details) return;
  details.open = true;
  details.scrollIntoView({ block: "nearest" });
}

function resultDetails(result, i) {
  const word = result.observation || (result.not_meaningful ? "n/m" : "error");
  const summary = el("summary", {}, el("span", { class: "model" }, result.model), " ",
    el("span", { class: `verdict ${verdictClass(word)}` }, word), " ", el("span", { class: "test" }, result.test));
  const parts = [];
  if (result.condition) {
    const counts = result.positive === null ? "" : `  (executions: ${result.positive} positive, ${result.negative} negative)`;
    parts.push(el("p", {}, el("code", {}, result.condition), counts));
  }
  if (result.error) parts.push(el("pre", { class: "problem-text" }, result.error));
  if (result.not_meaningful) parts.push(el("p", { class: "note" }, `Not meaningful: ${result.not_meaningful}`));
  if (result.flags.length) parts.push(el("p", {}, "Flags: ", el("b", {}, result.flags.join(", "))));
  if (result.observation === "Never" && result.forbidden_by.length) {
    parts.push(el("p", { class: "why" }, "Forbidden by ", el("b", {}, result.forbidden_by.join(", ")),
      result.cycle ? ": " : "", result.cycle ? el("code", {}, result.cycle) : null));
  }
  if (result.states.length || result.observation) {
    parts.push(el("h4", {}, `Reachable final states (${result.states.length})`));
    parts.push(el("ul", { class: "states" }, ...result.states.map((s) => el("li", {}, el("code", {}, stateText(s))))));
  }
  if (result.graph) parts.push(graphView(result));
  return el("details", { class: "result", id: `result-${i}`, "data-model": result.model, "data-test": result.test },
    summary, el("div", { class: "body" }, ...parts));
}

function graphView(result) {
  const caption = result.observation === "Never"
    ? "The forbidden execution: it reaches the condition and passes every other check; the cycle is in magenta."
    : "A witness execution.";
  if (result.graph.svg) {
    const image = el("img", { class: "graph", alt: `execution graph of ${result.test} under ${result.model}`,
      src: "data:image/svg+xml;base64," + toBase64(result.graph.svg) });
    return el("figure", { class: "graph" }, image, el("figcaption", {}, caption));
  }
  return el("figure", { class: "graph dot" }, el("p", { class: "note dot-note" }, result.graph.note),
    el("pre", { class: "dot-text" }, result.graph.dot), el("figcaption", {}, caption));
}

// -- start
async function start() {
  refreshGutter();
  try {
    state.uploads = JSON.parse(sessionStorage.getItem(CAT_STORE) || "{}");
  } catch (error) {
    state.uploads = {};
  }
  const response = await fetch("/api/info");
  state.info = await response.json();
  $("version").textContent = `v${state.info.version}`;
  const defaults = ["sc", "tso", "arm"];
  $("builtin-models").replaceChildren(...state.info.models.map((m) => modelBox(m, m, defaults.includes(m))));
  renderUploads();
  const kib = Math.round(state.info.limits.text_bytes / 1024);
  $("limits").textContent = `Tests and models up to ${kib} KiB; ${state.info.timeout} s per run, then Unknown.` +
    (state.info.graphviz ? "" : " Graphviz is not installed on the server: graphs come as DOT text.") +
    ` An uploaded model may include: ${state.info.library.join(", ")}.`;
  await loadTestList();
  if (restoreFromLink()) run();
  document.body.dataset.ready = "true";
}
start();
