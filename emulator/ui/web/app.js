// The inspector: the journal as a live list, one request in detail, and the control
// plane's buttons. Plain JavaScript; every URL is relative to the page (/_emulator/).
"use strict";

const entries = new Map(); // id → journal entry
let selected = null; // id shown in the detail view
let renderQueued = false;

const $ = (id) => document.getElementById(id);
const escapeHtml = (text) =>
  String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
const apiBase = () => new URL("../v1", location.href).href;
// The page shows one namespace (?namespace=…, the default without): every call says which.
const namespace = new URLSearchParams(location.search).get("namespace");
const withNs = (url) => (namespace ? `${url}${url.includes("?") ? "&" : "?"}namespace=${encodeURIComponent(namespace)}` : url);
const imageUrl = (sha) => withNs(`journal-images/${sha}`);

// --- keeping the list live -----------------------------------------------------------------

function upsert(entry) {
  entries.set(entry.id, entry);
  queueRender();
}

function queueRender() {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    renderList();
    if (selected !== null && entries.has(selected)) renderDetail(entries.get(selected));
  });
}

function connect() {
  if (!window.EventSource) return poll();
  const source = new EventSource(withNs("journal/stream"));
  source.addEventListener("open", () => ($("live").textContent = "live"));
  source.addEventListener("reset", () => {
    entries.clear();
    queueRender();
  });
  source.addEventListener("entry", (event) => upsert(JSON.parse(event.data)));
  source.addEventListener("error", () => {
    if (source.readyState === EventSource.CLOSED) {
      source.close();
      poll(); // no event stream (a proxy that buffers, an old browser): poll instead
    } else {
      $("live").textContent = "reconnecting…";
    }
  });
}

async function poll() {
  $("live").textContent = "polling every second";
  for (;;) {
    try {
      const { entries: all } = await (await fetch(withNs("journal"))).json();
      entries.clear();
      all.forEach((entry) => entries.set(entry.id, entry));
      queueRender();
    } catch (error) {
      $("live").textContent = "server unreachable";
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

// --- the list ------------------------------------------------------------------------------

function statusClass(entry) {
  if (entry.status === 200) return "ok";
  if (entry.status === 0 || entry.status >= 500) return "5xx";
  return entry.status === null ? "" : "4xx";
}

function matches(entry) {
  const endpoint = $("filter-endpoint").value;
  const model = $("filter-model").value;
  const status = $("filter-status").value;
  const text = $("filter-text").value.trim().toLowerCase();
  if (endpoint && entry.endpoint !== endpoint) return false;
  if (model && entry.model !== model) return false;
  if (status === "fault" ? !entry.fault : status && statusClass(entry) !== status) return false;
  if (text && !String(entry.sent.prompt ?? entry.params.prompt ?? "").toLowerCase().includes(text)) return false;
  return true;
}

function firstOutput(entry) {
  return entry.outputs.find((output) => !output.partial) ?? entry.outputs[0];
}

function thumbnail(entry) {
  const output = firstOutput(entry);
  if (output && output.kept) {
    return `<img class="thumb" loading="lazy" alt="first output" src="${imageUrl(output.sha256)}">`;
  }
  if (output) return `<span class="muted">dropped</span>`;
  if (entry.error) return `<span class="code">${escapeHtml(entry.error.code ?? entry.error.type ?? entry.status)}</span>`;
  return entry.fault ? `<span class="code">${escapeHtml(entry.fault)}</span>` : "";
}

const money = (usd) => (usd === null || usd === undefined ? "" : `$${usd.toFixed(6)}`);
const param = (entry, name) => entry.answered[name] ?? entry.params[name] ?? entry.sent[name] ?? "";

function promptOf(entry) {
  // An images request's prompt; a Responses request's last text input.
  const sent = entry.sent ?? {};
  if (typeof sent.prompt === "string") return sent.prompt;
  if (typeof sent.input === "string") return sent.input;
  if (Array.isArray(sent.input)) {
    const texts = sent.input.flatMap((item) => (typeof item?.content === "string" ? [item.content]
      : Array.isArray(item?.content) ? item.content.filter((p) => p?.text).map((p) => p.text) : []));
    return texts.at(-1) ?? "";
  }
  return "";
}

function row(entry) {
  const time = new Date(entry.created_at * 1000).toLocaleTimeString([], { hour12: false });
  const usage = entry.usage ?? {};
  const status = entry.status === null ? "…" : entry.status;
  return `<tr data-id="${entry.id}" class="${entry.id === selected ? "selected" : ""}">
    <td>${escapeHtml(time)}</td><td>${escapeHtml(entry.endpoint)}</td>
    <td class="model">${escapeHtml(entry.model ?? "")}${entry.origin && entry.origin !== "emulated" ? ` <span class="origin">${escapeHtml(entry.origin)}</span>` : ""}${entry.deprecation ? ` <span class="deprecated" title="shuts down on ${escapeHtml(entry.deprecation.shutdown)}">deprecated</span>` : ""}${entry.door === "azure" ? ` <span class="door" title="Azure OpenAI door">azure${entry.deployment ? `: ${escapeHtml(entry.deployment)}` : ""}</span>` : ""}</td>
    <td class="status-${statusClass(entry)}">${escapeHtml(status)}${entry.fault ? " ⚑" : ""}${entry.background ? ` <span class="background-state">${escapeHtml(entry.background)}</span>` : ""}</td>
    <td>${escapeHtml(param(entry, "size"))}</td><td>${escapeHtml(param(entry, "quality"))}</td>
    <td class="num">${escapeHtml(param(entry, "n"))}</td>
    <td class="num">${entry.duration_ms ?? ""}</td>
    <td class="num">${usage.total_tokens ?? ""}</td>
    <td class="num">${money(entry.cost_usd)}</td>
    <td>${thumbnail(entry)}</td>
    <td class="prompt" title="${escapeHtml(promptOf(entry))}">${escapeHtml(promptOf(entry))}</td></tr>`;
}

function uploadsTable(uploads) {
  const rows = uploads.map((u) => `<tr><td>${escapeHtml(u.field)}</td><td>${escapeHtml(u.filename ?? "")}</td>
    <td>${escapeHtml(u.content_type ?? "(none)")}</td><td class="num">${u.bytes}</td><td>${escapeHtml(u.sniffed ?? "not an image")}</td></tr>`);
  return `<table class="uploads"><tr><th>field</th><th>filename</th><th>declared type</th><th>bytes</th><th>bytes show</th></tr>${rows.join("")}</table>`;
}

function renderTotals(all) {
  const byModel = new Map();
  let total = 0;
  for (const entry of all) {
    if (entry.cost_usd === null || entry.cost_usd === undefined) continue;
    total += entry.cost_usd;
    byModel.set(entry.model, (byModel.get(entry.model) ?? 0) + entry.cost_usd);
  }
  $("total-requests").textContent = all.length;
  $("total-cost").textContent = money(total);
  $("cost-by-model").innerHTML = [...byModel]
    .map(([model, cost]) => `<span data-model="${escapeHtml(model)}">${escapeHtml(model)} ${money(cost)}</span>`)
    .join("");
}

function renderModels(all) {
  const select = $("filter-model");
  const known = new Set([...select.options].map((option) => option.value));
  for (const entry of all) {
    if (entry.model && !known.has(entry.model)) {
      known.add(entry.model);
      select.add(new Option(entry.model, entry.model));
    }
  }
}

function renderList() {
  const started = performance.now();
  const all = [...entries.values()].sort((a, b) => b.id - a.id);
  renderTotals(all);
  renderModels(all);
  const shown = all.filter(matches);
  $("rows").innerHTML = shown.map(row).join("");
  $("empty").hidden = all.length > 0;
  window.lastRenderMs = performance.now() - started; // read by the benchmark
}

// --- one request ---------------------------------------------------------------------------

function table(object) {
  const rows = Object.entries(object ?? {}).map(
    ([key, value]) =>
      `<tr><th>${escapeHtml(key)}</th><td>${escapeHtml(typeof value === "object" ? JSON.stringify(value) : value)}</td></tr>`,
  );
  return rows.length ? `<table>${rows.join("")}</table>` : `<p class="muted">none</p>`;
}

function figure(image, caption, kind = "") {
  const body = image.kept
    ? `<img alt="${escapeHtml(caption)}" src="${imageUrl(image.sha256)}">`
    : `<span class="dropped">image dropped (journal image memory is bounded)</span>`;
  return `<figure class="${kind}">${body}<figcaption>${escapeHtml(caption)}</figcaption></figure>`;
}

function inputCaption(input) {
  return `${input.field} · ${input.filename || "(no name)"} · ${input.content_type ?? "no type"} · ` +
    `${input.width}×${input.height} ${input.format} · ${input.sha256.slice(0, 12)}`;
}

function overlays(entry) {
  // The mask (its transparent area, where the edit paints) and the markup, over the image.
  const base = entry.inputs.find((input) => input.field !== "mask" && input.field !== "markup");
  const layers = entry.inputs.filter((input) => input.field === "mask" || input.field === "markup");
  return layers
    .filter((layer) => base && base.kept && layer.kept)
    .map((layer) => `<figure><canvas class="overlay" data-kind="${layer.field}" data-base="${base.sha256}"
      data-layer="${layer.sha256}" width="${layer.width}" height="${layer.height}"></canvas>
      <figcaption>${layer.field} over ${escapeHtml(base.field)}${layer.field === "mask" ? " (edited area highlighted)" : ""}</figcaption></figure>`)
    .join("");
}

function loadImage(src) {
  return new Promise((resolve, reject) => {
    const image = new Image();
    image.onload = () => resolve(image);
    image.onerror = reject;
    image.src = src;
  });
}

async function drawOverlay(canvas) {
  const [base, layer] = await Promise.all([loadImage(imageUrl(canvas.dataset.base)), loadImage(imageUrl(canvas.dataset.layer))]);
  const context = canvas.getContext("2d");
  context.drawImage(base, 0, 0, canvas.width, canvas.height);
  if (canvas.dataset.kind === "markup") {
    context.drawImage(layer, 0, 0, canvas.width, canvas.height);
    return;
  }
  const scratch = document.createElement("canvas");
  scratch.width = canvas.width;
  scratch.height = canvas.height;
  const scratchContext = scratch.getContext("2d");
  scratchContext.drawImage(layer, 0, 0);
  const mask = scratchContext.getImageData(0, 0, canvas.width, canvas.height).data;
  const pixels = context.getImageData(0, 0, canvas.width, canvas.height);
  for (let i = 0; i < mask.length; i += 4) {
    if (mask[i + 3] === 0) { // transparent in the mask: the area the edit replaces
      pixels.data[i] = Math.round(pixels.data[i] * 0.45 + 255 * 0.55);
      pixels.data[i + 1] = Math.round(pixels.data[i + 1] * 0.45);
      pixels.data[i + 2] = Math.round(pixels.data[i + 2] * 0.45 + 128 * 0.55);
      pixels.data[i + 3] = 255;
    }
  }
  context.putImageData(pixels, 0, 0);
  canvas.dataset.drawn = "true";
}

function shellQuote(text) {
  return `'${String(text).replace(/'/g, `'\\''`)}'`;
}

function isForm(entry) {
  return !["generations", "responses"].includes(entry.endpoint) && !(entry.request_headers["content-type"] ?? "").startsWith("application/json");
}

function apiPath(entry) {
  return entry.endpoint === "responses" ? "responses" : `images/${entry.endpoint}`;
}

function asCurl(entry) {
  const url = `${apiBase()}/${apiPath(entry)}`;
  const lines = [`curl -s ${url}`, `  -H "Authorization: Bearer $OPENAI_API_KEY"`];
  if (!isForm(entry)) {
    lines.push(`  -H "Content-Type: application/json"`, `  -d ${shellQuote(JSON.stringify(entry.sent))}`);
  } else {
    for (const [key, value] of Object.entries(entry.sent)) {
      const text = typeof value === "object" ? JSON.stringify(value) : String(value);
      lines.push(`  -F ${shellQuote(`${key}=${text}`)}`);
    }
    for (const input of entry.inputs) {
      const field = input.field.replace(/\[\d+\]$/, "[]");
      lines.push(`  -F ${shellQuote(`${field}=@${input.filename || "image.png"}`)}`);
    }
  }
  return lines.join(" \\\n");
}

function pyValue(value) {
  if (value === null) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (Array.isArray(value)) return `[${value.map(pyValue).join(", ")}]`;
  if (typeof value === "object") return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${pyValue(v)}`).join(", ")}}`;
  return JSON.stringify(value);
}

function asPython(entry) {
  const method = { generations: "generate", edits: "edit", variations: "create_variation" }[entry.endpoint];
  const args = Object.entries(entry.sent).map(([key, value]) => `    ${key}=${pyValue(value)},`);
  if (isForm(entry)) {
    const images = entry.inputs.filter((input) => input.field.startsWith("image"));
    const open = (input) => `open(${JSON.stringify(input.filename || "image.png")}, "rb")`;
    if (images.length === 1 && images[0].field === "image") args.push(`    image=${open(images[0])},`);
    else if (images.length) args.push(`    image=[${images.map(open).join(", ")}],`);
    for (const input of entry.inputs.filter((input) => input.field === "mask" || input.field === "markup")) {
      args.push(`    ${input.field}=${open(input)},`);
    }
  }
  return [
    "from openai import OpenAI",
    "",
    `client = OpenAI(base_url=${JSON.stringify(apiBase())}, api_key="sk-...")`,
    entry.endpoint === "responses" ? "result = client.responses.create(" : `result = client.images.${method}(`,
    ...args,
    ")",
  ].join("\n");
}

function renderDetail(entry) {
  const images = entry.endpoint === "files" ? "" : `
    <h3>Inputs</h3>
    <div class="images">${entry.inputs.map((input) => figure(input, inputCaption(input))).join("") || '<p class="muted">none</p>'}</div>
    ${overlays(entry) ? `<h3>Mask and markup</h3><div class="images">${overlays(entry)}</div>` : ""}
    <h3>Outputs</h3>
    <div class="images">${entry.outputs.filter((o) => !o.partial).map((o, i) => figure(o, `image ${i + 1} · ${o.media_type} · ${o.bytes} bytes`, "output")).join("") || '<p class="muted">none</p>'}</div>
    ${entry.outputs.some((o) => o.partial) ? `<h3>Streamed partial images</h3><div class="images">${entry.outputs.filter((o) => o.partial).map((o, i) => figure(o, `partial ${i + 1}`)).join("")}</div>` : ""}`;
  const usage = entry.usage
    ? `${table({ input: entry.usage.input_tokens, ...entry.usage.input_tokens_details, output: entry.usage.output_tokens, total: entry.usage.total_tokens })}`
    : '<p class="muted">none</p>';
  $("detail-body").innerHTML = `
    <h2>#${entry.id} ${escapeHtml(entry.method)} ${escapeHtml(entry.path)} → ${escapeHtml(entry.status ?? "…")}</h2>
    <p class="muted">${escapeHtml(entry.request_id)} · ${escapeHtml(entry.model ?? "no model")} ·
      ${entry.duration_ms ?? "?"} ms${entry.as_of ? ` · as of ${escapeHtml(entry.as_of)}` : ""} ·
      <span class="origin-note">${escapeHtml(entry.origin ?? "emulated")}${entry.recording ? ` (${escapeHtml(entry.recording)})` : ""}</span></p>
    ${entry.fault ? `<p>Scripted fault: <span class="code">${escapeHtml(entry.fault)}</span></p>` : ""}
    ${entry.door === "azure" ? `<p>Azure OpenAI door${entry.deployment ? `, deployment <span class="code" id="detail-deployment">${escapeHtml(entry.deployment)}</span>` : ""}</p>` : ""}
    ${entry.background ? `<p>Background response: <span class="code" id="detail-background">${escapeHtml(entry.background)}</span></p>` : ""}
    ${entry.answered?.function_call ? `<p>The model called <span class="code" id="detail-function">${escapeHtml(entry.answered.function_call)}</span></p>` : ""}
    ${entry.scripted_turn ? `<h3>Scripted turn</h3><div id="detail-script">${table(entry.scripted_turn)}</div>` : ""}
    ${entry.deprecation ? `<p class="deprecated-note">Deprecated: ${escapeHtml(entry.deprecation.model)} shuts down on ${escapeHtml(entry.deprecation.shutdown)}${entry.deprecation.replacement ? `; replacement: ${escapeHtml(entry.deprecation.replacement)}` : ""} (announced ${escapeHtml(entry.deprecation.announced)})</p>` : ""}
    ${entry.uploads.length && !entry.inputs.length ? `<h3>Parts as sent</h3>${uploadsTable(entry.uploads)}` : ""}
    ${entry.error ? `<h3>Error</h3><pre>${escapeHtml(JSON.stringify({ error: entry.error }, null, 2))}</pre>` : ""}
    <h3>Parameters ${entry.status === 200 ? "as checked" : "as sent"}</h3>
    ${table(entry.status === 200 ? entry.params : entry.sent)}
    ${images}
    <h3>Usage and cost</h3>${usage}<p>Estimated cost: <b id="detail-cost">${money(entry.cost_usd) || "n/a"}</b></p>
    <h3>Response headers</h3>${table(entry.response_headers)}
    <h3>Request headers</h3>${table(entry.request_headers)}
    ${entry.endpoint === "files" ? "" : `
    <h3>Copy as curl <button type="button" data-copy="curl">copy</button></h3><pre id="curl">${escapeHtml(asCurl(entry))}</pre>
    <h3>Copy as Python (openai) <button type="button" data-copy="python">copy</button></h3><pre id="python">${escapeHtml(asPython(entry))}</pre>`}`;
  document.querySelectorAll("canvas.overlay").forEach((canvas) => drawOverlay(canvas).catch(() => {}));
}

function select(id) {
  selected = id;
  $("detail").hidden = false;
  renderDetail(entries.get(id));
  renderList();
}

// --- controls ------------------------------------------------------------------------------

async function post(path, body) {
  const response = await fetch(withNs(path), {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return response.json();
}

async function showClock() {
  const clock = await (await fetch(withNs("clock"))).json();
  $("clock-state").textContent = clock.frozen ? `frozen at ${new Date(clock.now * 1000).toISOString()}` : "running";
}

async function showSettings() {
  const config = await (await fetch(withNs("config"))).json();
  $("lenient").checked = config.lenient;
  $("images-note").textContent = `images kept up to ${config.journal_images_mb} MB (the oldest are dropped first)`;
}

function wire() {
  $("api-base").textContent = apiBase();
  $("rows").addEventListener("click", (event) => {
    const tr = event.target.closest("tr[data-id]");
    if (tr) select(Number(tr.dataset.id));
  });
  $("close-detail").addEventListener("click", () => {
    selected = null;
    $("detail").hidden = true;
    renderList();
  });
  for (const id of ["filter-endpoint", "filter-model", "filter-status", "filter-text"]) {
    $(id).addEventListener("input", queueRender);
  }
  $("reset").addEventListener("click", async () => {
    await post("reset");
    selected = null;
    $("detail").hidden = true;
    entries.clear();
    queueRender();
    showClock();
  });
  $("freeze").addEventListener("click", async () => { await post("clock", { freeze: true }); showClock(); });
  $("unfreeze").addEventListener("click", async () => { await post("clock", { unfreeze: true }); showClock(); });
  $("fault-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const fault = { kind: $("fault-kind").value, count: Number($("fault-count").value) };
    if ($("fault-endpoint").value) fault.endpoint = $("fault-endpoint").value;
    const answer = await post("faults", fault);
    $("fault-state").textContent = answer.faults ? `scripted: ${fault.kind} ×${fault.count}` : answer.error.message;
  });
  $("lenient").addEventListener("change", async () => {
    const answer = await post("settings", { lenient: $("lenient").checked });
    $("lenient").checked = answer.lenient;
  });
  document.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-copy]");
    if (button && navigator.clipboard) navigator.clipboard.writeText($(button.dataset.copy).textContent).catch(() => {});
  });
}

// With --api-keys the control plane wants a key: asked once, it buys a session cookie
// (HttpOnly, same-site only) that the live stream and the images send by themselves.
async function ensureAccess() {
  for (;;) {
    const probe = await fetch(withNs("config"));
    if (probe.status !== 401) return;
    const key = window.prompt("This emulator requires an API key (--api-keys). Enter one to open the inspector:");
    if (key === null) {
      $("live").textContent = "an API key is needed";
      throw new Error("no key");
    }
    await fetch("session", { method: "POST", headers: { Authorization: `Bearer ${key.trim()}` } });
  }
}

// Webhook deliveries happen beside the journal: read every two seconds while shown.
async function showWebhooks() {
  const listed = await (await fetch(withNs("webhooks"))).json();
  const deliveries = listed.deliveries ?? [];
  $("webhook-count").textContent = `(${deliveries.length})`;
  $("webhook-rows").innerHTML = deliveries.slice().reverse().map((d) => `<tr class="delivery-${escapeHtml(d.state)}">
    <td>${escapeHtml(d.type)}${d.duplicate ? " (duplicate)" : ""}</td><td>${escapeHtml(d.object_id)}</td>
    <td title="${escapeHtml(d.url)}">${escapeHtml(d.endpoint_id)}</td><td>${escapeHtml(d.state)}</td>
    <td>${d.attempts.map((a) => escapeHtml(a.status ?? a.error ?? "?")).join(", ")}</td>
    <td class="code">${escapeHtml(d.id)}</td></tr>`).join("");
}

wire();
ensureAccess().then(() => {
  showClock();
  showSettings();
  connect();
  showWebhooks().catch(() => {});
  setInterval(() => { if ($("webhooks").open) showWebhooks().catch(() => {}); }, 2000);
});
