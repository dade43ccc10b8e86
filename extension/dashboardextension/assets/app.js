// otelcol-telemetry dashboard. No framework, no build step: the collector serves this file as is.
// The API key lives in sessionStorage (this tab only) and travels in the Authorization header,
// never in a URL. Every DOM text is set with textContent, never parsed as HTML.
(function () {
  "use strict";
  const BASE = "/api/v1/telemetry";
  const KEY = "otelcol-telemetry.api-key";
  const $ = (id) => document.getElementById(id);
  let session = null;
  let timers = [];

  // ---------- helpers ----------
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v;
      else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else if (v !== undefined && v !== null && v !== false) e.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }
  const fmt = (v) => (typeof v === "number" ? (Number.isInteger(v) ? v.toLocaleString("en-US") : v.toLocaleString("en-US", { maximumFractionDigits: 3 })) : String(v));

  class APIError extends Error {
    constructor(status, body) {
      const detail = (body && body.error) || {};
      super(detail.message || "HTTP " + status);
      this.status = status;
      this.code = detail.code;
      this.field = detail.field;
    }
  }

  async function api(path, opts) {
    const key = sessionStorage.getItem(KEY);
    const headers = Object.assign({ Authorization: "Bearer " + key }, (opts && opts.headers) || {});
    const resp = await fetch(BASE + path, Object.assign({}, opts, { headers, cache: "no-store" }));
    if (opts && opts.raw && resp.ok) return resp;
    let body = null;
    try { body = await resp.json(); } catch (_) { /* not JSON */ }
    if (!resp.ok) {
      if (resp.status === 401 && session) signOut("Your key was refused: sign in again.");
      throw new APIError(resp.status, body);
    }
    return body;
  }

  // explain turns an API error into the sentence a page shows.
  function explain(err) {
    if (err.status === 403) {
      const m = /needs the (\w+) role/.exec(err.message);
      return "key lacks role " + (m ? m[1] : "for this page");
    }
    if (err.status === 401) return "invalid API key";
    return err.message || String(err);
  }

  function state(container, kind, message) {
    container.replaceChildren(el("p", { class: "state " + kind, "data-state": kind }, message));
  }

  function table(id, columns, rows, rowClass) {
    return el("table", { id },
      el("thead", {}, el("tr", {}, columns.map((c) => el("th", {}, c.label)))),
      el("tbody", {}, rows.map((r) => el("tr", { class: rowClass ? rowClass(r) : "" },
        columns.map((c) => { const v = c.get(r); return el("td", { class: typeof v === "number" ? "num" : "" }, v instanceof Node ? v : fmt(v)); })))));
  }

  function card(id, label, value, bad) {
    return el("div", { class: "card" + (bad ? " bad" : ""), id },
      el("div", { class: "label" }, label), el("div", { class: "value" }, fmt(value)));
  }

  // chart draws series over time with uPlot; data is [[unix seconds...], [values...], ...].
  // pad (seconds) widens the time axis around a single point, which uPlot would otherwise stretch
  // over years.
  function chart(container, id, title, labels, data, pad) {
    const box = el("div", { class: "chart", id });
    container.append(box);
    if (!data[0].length) {
      box.append(el("p", { class: "state empty", "data-state": "empty" }, "no data in this range"));
      return null;
    }
    const colors = ["#1f618d", "#b03a2e", "#1e8449", "#b9770e", "#6c3483", "#117a65"];
    const width = Math.max(320, Math.min(1100, (container.clientWidth || 900) - 20));
    return new uPlot({
      title, width, height: 220,
      // A series of one bucket is a point, not an invisible zero-length line.
      series: [{}].concat(labels.map((l, i) => ({ label: l, stroke: colors[i % colors.length], width: 2, points: { show: data[0].length < 3, size: 8 } }))),
      axes: [{}, { size: 60 }],
      scales: { x: { time: true, range: xRange(data[0], pad) } },
    }, data, box);
  }

  // xRange is a fixed time axis: the chosen range when pad is [start, end] (seconds), so "last hour"
  // shows the hour; else around the data, a range shorter than pad widened by pad.
  function xRange(xs, pad) {
    if (Array.isArray(pad)) return pad;
    const min = Math.min(...xs), max = Math.max(...xs);
    return max - min < pad ? [min - pad, max + pad] : [min, max];
  }

  function download(name, blob) {
    const url = URL.createObjectURL(blob);
    const a = el("a", { href: url, download: name });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  function clearTimers() { timers.forEach(clearInterval); timers = []; }

  // ---------- sign-in ----------
  function showSignIn(message) {
    $("app").hidden = true; $("nav").hidden = true; $("session").hidden = true;
    $("signin").hidden = false;
    const e = $("signin-error");
    e.hidden = !message; e.textContent = message || "";
    $("api-key").value = "";
    $("api-key").focus();
  }

  function signOut(message) {
    clearTimers();
    session = null;
    sessionStorage.removeItem(KEY);
    showSignIn(message);
  }

  async function signIn(key) {
    sessionStorage.setItem(KEY, key);
    try {
      session = await api("/dashboard/session");
    } catch (err) {
      sessionStorage.removeItem(KEY);
      session = null;
      showSignIn(err.status === 401 ? "invalid API key" : explain(err));
      return;
    }
    $("signin").hidden = true; $("app").hidden = false; $("nav").hidden = false; $("session").hidden = false;
    $("session-info").textContent = "key " + session.key_id + " · tenant " + session.tenant + " · " + session.roles.join(", ");
    route();
  }

  // ---------- routing ----------
  const pages = { overview: renderOverview, traces: renderTraces, trace: renderTrace, logs: renderLogs, explore: renderExplore, privacy: renderPrivacy, pipeline: renderPipeline, reports: renderReports };

  // A page's hash is #name, #name/<id> (a trace) or #name?<params> (a search to run at once).
  function route() {
    if (!session) return;
    clearTimers();
    const m = /^#?([a-z]+)(?:\/([^?]*))?(?:\?(.*))?$/.exec(location.hash || "#overview") || [];
    const page = pages[m[1]] ? m[1] : "overview";
    const args = { id: m[2] ? decodeURIComponent(m[2]) : "", params: new URLSearchParams(m[3] || "") };
    const nav = page === "trace" ? "traces" : page;
    document.querySelectorAll("#nav a").forEach((a) => a.classList.toggle("active", a.dataset.page === nav));
    document.querySelectorAll(".page").forEach((p) => { p.hidden = p.id !== "page-" + page; });
    const root = $("page-" + page);
    root.replaceChildren();
    pages[page](root, args);
  }

  // ---------- time range (Overview, Explore) ----------
  // rangeControl is the shared "last 1h / 24h / 7d / custom" picker; onChange runs on every change.
  function rangeControl(idPrefix, onChange) {
    const sel = el("select", { id: idPrefix + "-range" },
      el("option", { value: "1h", selected: true }, "last hour"), el("option", { value: "24h" }, "last 24 hours"),
      el("option", { value: "7d" }, "last 7 days"), el("option", { value: "custom" }, "custom range"));
    const from = el("input", { id: idPrefix + "-from", type: "datetime-local", hidden: true });
    const to = el("input", { id: idPrefix + "-to", type: "datetime-local", hidden: true });
    const apply = el("button", { id: idPrefix + "-apply", type: "button", hidden: true, onclick: () => onChange() }, "Apply");
    sel.addEventListener("change", () => {
      const custom = sel.value === "custom";
      from.hidden = to.hidden = apply.hidden = !custom;
      if (custom && !from.value) {
        const now = new Date(), day = new Date(now - 86400000);
        const local = (d) => new Date(d - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
        from.value = local(day); to.value = local(now);
      }
      if (!custom) onChange();
    });
    const secs = { "1h": 3600, "24h": 86400, "7d": 7 * 86400 };
    return {
      nodes: [sel, from, to, apply],
      // params gives start_time and end_time (RFC 3339) of the chosen range.
      params() {
        if (sel.value === "custom") {
          const f = new Date(from.value), t = new Date(to.value);
          return { start_time: f.toISOString(), end_time: t.toISOString() };
        }
        const end = new Date();
        return { start_time: new Date(end - secs[sel.value] * 1000).toISOString(), end_time: end.toISOString() };
      },
      label: () => sel.options[sel.selectedIndex].text,
      widest() { sel.value = "7d"; },
    };
  }

  function refreshControl(id, onTick) {
    const sel = el("select", { id, onchange: () => arm() },
      el("option", { value: "0" }, "auto-refresh off"), el("option", { value: "30", selected: true }, "every 30 s"),
      el("option", { value: "60" }, "every minute"));
    function arm() {
      clearTimers();
      const secs = Number(sel.value);
      if (secs > 0) timers.push(setInterval(onTick, secs * 1000));
    }
    arm();
    return sel;
  }

  const qs = (o) => new URLSearchParams(Object.entries(o).filter(([, v]) => v !== "" && v !== undefined)).toString();
  const intervalSeconds = (iv) => {
    const m = /^(\d+)([mhdw])$/.exec(iv || "");
    return m ? Number(m[1]) * { m: 60, h: 3600, d: 86400, w: 604800 }[m[2]] : 0;
  };
  // groupLabel names a series by its group values in group_by order; an empty value is "(no <key>)"
  // (spans without a route are not "all" requests).
  const groupLabel = (s, keys) => {
    if (s.other) return "(other)";
    const g = s.group || {};
    const ks = keys || Object.keys(g);
    return ks.length ? ks.map((k) => (g[k] === "" || g[k] === undefined ? "(no " + k + ")" : g[k])).join(" · ") : "(all)";
  };

  // seriesData aligns aggregate series on one time axis for uPlot (epoch ms → s), scaled by f.
  function seriesData(series, f) {
    const xs = [...new Set(series.flatMap((s) => s.points.map((p) => p[0])))].sort((a, b) => a - b);
    const data = [xs.map((x) => x / 1000)];
    for (const s of series) {
      const m = new Map(s.points.map((p) => [p[0], p[1]]));
      data.push(xs.map((x) => (m.has(x) && m.get(x) !== null ? f(m.get(x)) : null)));
    }
    return data;
  }

  // ---------- Overview ----------
  function renderOverview(root) {
    const range = rangeControl("overview", load);
    const body = el("div", { id: "overview-body" });
    const requestsMetric = el("input", { id: "overview-requests-metric", value: "api_requests", size: "14" });
    const latencyMetric = el("input", { id: "overview-latency-metric", value: "response_time", size: "14" });
    const latencyGroup = el("input", { id: "overview-latency-group", value: "endpoint", size: "12" });
    root.append(el("h1", {}, "Overview"),
      el("div", { class: "toolbar" }, ...range.nodes, refreshControl("overview-refresh", load)),
      body);

    async function load() {
      const r = range.params();
      state(body, "loading", "loading…");
      const agg = (o) => api("/metrics/aggregate?" + qs(Object.assign({}, r, o)));
      const day = { start_time: new Date(Date.now() - 86400000).toISOString(), end_time: new Date().toISOString() };
      const week = { start_time: new Date(Date.now() - 7 * 86400000).toISOString(), end_time: day.end_time };
      let results;
      try {
        results = await Promise.all([
          agg({ source: "events", aggregation: "count", interval: "auto" }),
          agg({ source: "events", aggregation: "unique_users", interval: "auto" }),
          agg({ source: "events", aggregation: "count", group_by: "event_name", interval: "all", limit: 10 }),
          agg({ source: "events", aggregation: "unique_users", group_by: "event_name", interval: "all", limit: 100 }),
          api("/metrics/aggregate?" + qs(Object.assign({ source: "events", aggregation: "unique_users", interval: "all" }, day))),
          api("/metrics/aggregate?" + qs(Object.assign({ source: "events", aggregation: "unique_users", interval: "all" }, week))),
          agg({ source: "events", aggregation: "unique_users", interval: "all" }),
        ]);
      } catch (err) {
        state(body, "error", explain(err));
        return;
      }
      const [counts, users, top, topUsers, dau, wau, usersAll] = results;
      const total = counts.series.reduce((a, s) => a + s.points.reduce((b, p) => b + (p[1] || 0), 0), 0);
      const one = (a) => (a.series.length ? a.series[0].points.reduce((b, p) => b + (p[1] || 0), 0) : 0);
      const secs = intervalSeconds(counts.interval);
      body.replaceChildren(
        el("p", { class: "muted", id: "overview-meta" }, range.label() + " · buckets of " + counts.interval + " · tenant " + counts.tenant),
        el("div", { class: "cards" },
          card("card-events", "events in range", total),
          card("card-users", "distinct users in range", one(usersAll)),
          card("card-dau", "DAU (last 24 h)", one(dau)),
          card("card-wau", "WAU (last 7 days)", one(wau))));
      if (!total) {
        body.append(el("p", { class: "state empty", "data-state": "empty", id: "overview-empty" }, "no data in this range"));
      }
      const span = [Date.parse(r.start_time) / 1000, Date.parse(r.end_time) / 1000]; // the chosen range, not the data's
      chart(body, "overview-events-chart", "events per second", ["events/s"], seriesData(counts.series, (v) => (secs ? v / secs : v)), span);
      chart(body, "overview-users-chart", "distinct users per " + users.interval, ["users"], seriesData(users.series, (v) => v), span);
      const usersOf = new Map(topUsers.series.map((s) => [groupLabel(s), one({ series: [s] })]));
      body.append(el("h2", {}, "Top events"), top.series.length ? table("overview-top-events", [
        { label: "event", get: (s) => groupLabel(s) }, { label: "events", get: (s) => one({ series: [s] }) },
        { label: "users", get: (s) => (s.other ? "" : usersOf.get(groupLabel(s)) || 0) }], top.series)
        : el("p", { class: "state empty" }, "no data in this range"));

      const lat = el("div", { id: "overview-latency" });
      body.append(el("h2", {}, "Requests, error rate and p95 latency by endpoint"),
        el("div", { class: "toolbar" }, "requests", requestsMetric, "latency", latencyMetric, "by", latencyGroup,
          el("button", { type: "button", onclick: () => endpoints(lat) }, "Show")), lat);
      endpoints(lat);
    }

    // endpoints joins three aggregates per endpoint: requests (sum), errors (the same metric with
    // status.code = error, as the span_metrics connector labels it) and the latency p95.
    async function endpoints(box) {
      state(box, "loading", "loading…");
      const base = Object.assign({}, range.params(), { group_by: latencyGroup.value, interval: "all", limit: 25 });
      const agg = (o) => api("/metrics/aggregate?" + qs(Object.assign({}, base, o))).then((a) => ({ a }), (err) => ({ err }));
      const [req, errs, p95] = await Promise.all([
        agg({ metric_name: requestsMetric.value, aggregation: "sum" }),
        agg({ metric_name: requestsMetric.value, aggregation: "sum", "attr.status.code": "STATUS_CODE_ERROR" }),
        agg({ metric_name: latencyMetric.value, aggregation: "p95" }),
      ]);
      if (req.err && p95.err) {
        state(box, "error", explain(req.err));
        return;
      }
      const value = (r, s) => {
        const m = r.a && r.a.series.find((x) => groupLabel(x) === groupLabel(s));
        return m ? m.points[0][1] : null;
      };
      const groups = new Map();
      for (const r of [req, p95]) if (r.a) for (const s of r.a.series) groups.set(groupLabel(s), s);
      if (!groups.size) {
        box.replaceChildren(el("p", { class: "state empty", "data-state": "empty" }, "no data in this range"));
        return;
      }
      const rows = [...groups.values()].map((s) => {
        const n = value(req, s), e = value(errs, s) || 0;
        return { name: groupLabel(s), key: (s.group || {})[latencyGroup.value] || "", requests: n, errors: e, rate: n ? e / n : null, p95: value(p95, s) };
      });
      const unit = p95.a && p95.a.unit ? " (" + p95.a.unit + ")" : "";
      // A percentile from histogram buckets is an estimate: marked with ≈ (the API says exact: false).
      const approx = p95.a && p95.a.exact === false ? "≈ " : "";
      const toTraces = (r) => "#traces?" + qs(latencyGroup.value === "endpoint" ? { route: r.key } : { span_name: r.key });
      box.replaceChildren(table("overview-latency-table", [
        { label: latencyGroup.value, get: (r) => (r.key ? link(toTraces(r), r.name, "endpoint-link") : r.name) },
        { label: "requests", get: (r) => (r.requests === null ? "—" : r.requests) },
        { label: "errors", get: (r) => r.errors },
        { label: "error rate", get: (r) => (r.rate === null ? "—" : (100 * r.rate).toFixed(1) + " %") },
        { label: "p95" + unit, get: (r) => (r.p95 === null ? "—" : approx + fmt(r.p95)) }], rows));
      for (const [what, r] of [["requests", req], ["errors", errs], ["p95", p95]]) {
        if (r.err) box.append(el("p", { class: "state error", "data-state": "error" }, what + ": " + explain(r.err)));
      }
    }
    load();
  }

  // localTime is t (Date, ms or RFC 3339) in the page's time zone, to the second (ms: with milliseconds).
  function localTime(t, ms) {
    const d = t instanceof Date ? t : new Date(t);
    const p = (n, w) => String(n).padStart(w || 2, "0");
    return d.getFullYear() + "-" + p(d.getMonth() + 1) + "-" + p(d.getDate()) + " " + p(d.getHours()) + ":" + p(d.getMinutes()) + ":" + p(d.getSeconds()) +
      (ms ? "." + p(d.getMilliseconds(), 3) : "");
  }
  const durText = (ms) => (ms >= 1000 ? (ms / 1000).toFixed(2) + " s" : ms >= 1 ? ms.toFixed(1) + " ms" : (ms * 1000).toFixed(0) + " µs");
  const link = (href, text, cls) => el("a", { href, class: cls }, text);

  // ---------- Traces ----------
  function renderTraces(root, args) {
    const range = rangeControl("traces", search);
    const f = (id, ph, size) => el("input", { id: "traces-" + id, placeholder: ph, title: ph, "aria-label": ph, size: size || "14", value: args.params.get(id) || "" });
    const service = f("service", "service"), spanName = f("span_name", "span name"), routeIn = f("route", "route (/checkout)");
    const status = el("select", { id: "traces-status" }, ["", "error", "ok", "unset"].map((v) => el("option", { value: v, selected: args.params.get("status") === v }, v || "any status")));
    const minMs = f("min_duration_ms", "min ms", "6"), maxMs = f("max_duration_ms", "max ms", "6");
    const attr = f("attr", "attribute key=value", "18"), traceId = f("trace_id", "trace id", "32");
    const body = el("div", { id: "traces-body" });
    root.append(el("h1", {}, "Traces"),
      el("div", { class: "toolbar" }, ...range.nodes, service, spanName, routeIn, status, minMs, maxMs, attr, traceId,
        el("button", { id: "traces-search", type: "button", onclick: search }, "Search")), body);
    async function search() {
      const p = Object.assign({ service: service.value, span_name: spanName.value, route: routeIn.value, status: status.value,
        min_duration_ms: minMs.value, max_duration_ms: maxMs.value, trace_id: traceId.value.trim(), limit: 50 }, range.params());
      const kv = /^([^=]+)=(.*)$/.exec(attr.value.trim());
      if (kv) p["attr." + kv[1].trim()] = kv[2].trim();
      state(body, "loading", "searching…");
      let a;
      try {
        a = await api("/traces?" + qs(p));
      } catch (err) {
        state(body, "error", explain(err));
        return;
      }
      if (!a.traces.length) {
        state(body, "empty", "no trace in this range matches");
        return;
      }
      body.replaceChildren(el("p", { class: "muted", id: "traces-meta" }, a.traces.length + " trace(s), newest first · " + range.label()),
        el("table", { id: "traces-table" },
          el("thead", {}, el("tr", {}, ["start", "root span", "service", "duration", "spans", "errors", "sample rate", "trace id"].map((h) => el("th", {}, h)))),
          el("tbody", {}, a.traces.map((t) => el("tr", { class: t.error_count ? "dropped" : "" },
            el("td", {}, localTime(t.start_us / 1000)),
            el("td", {}, link("#trace/" + t.trace_id, t.root_name + (t.root_found ? "" : " (root missing)"), "trace-link")),
            el("td", {}, t.root_service), el("td", { class: "num" }, durText(t.duration_ms)),
            el("td", { class: "num" }, fmt(t.span_count)), el("td", { class: "num" }, fmt(t.error_count)),
            el("td", { class: "num" }, fmt(t.sample_rate)), el("td", { class: "mono" }, t.trace_id))))));
    }
    if ([...args.params.keys()].length) search();
    else state(body, "empty", "Search by service, span name, route, status, duration, attribute or trace id.");
  }

  // ---------- one trace: waterfall ----------
  function renderTrace(root, args) {
    const id = args.id;
    const body = el("div", { id: "trace-body" });
    root.append(el("h1", {}, "Trace ", el("span", { class: "mono" }, id)), body);
    state(body, "loading", "loading…");
    const t0 = performance.now();
    api("/traces/" + encodeURIComponent(id)).then((a) => {
      const t1 = performance.now();
      waterfall(body, a);
      const wf = $("waterfall");
      wf.dataset.fetchMs = String(Math.round(t1 - t0)); // request, query and JSON
      wf.dataset.renderMs = String(Math.round(performance.now() - t1)); // the waterfall's DOM
    }, (err) => state(body, "error", err.status === 404 ? "no span of this trace is stored (yet)" : explain(err)));
  }

  function waterfall(body, a) {
    const spans = a.spans;
    const byId = new Map(spans.map((s) => [s.span_id, s]));
    const kids = new Map();
    const roots = [];
    for (const s of spans) {
      if (s.parent_span_id && byId.has(s.parent_span_id)) {
        if (!kids.has(s.parent_span_id)) kids.set(s.parent_span_id, []);
        kids.get(s.parent_span_id).push(s);
      } else roots.push(s);
    }
    const order = [];
    const stack = roots.slice().reverse().map((s) => [s, 0]);
    while (stack.length) { // depth-first without recursion: a deep trace cannot overflow the stack
      const [s, d] = stack.pop();
      order.push([s, d]);
      const c = kids.get(s.span_id) || [];
      for (let i = c.length - 1; i >= 0; i--) stack.push([c[i], d + 1]);
    }
    const start = Math.min(...spans.map((s) => s.start_us));
    const end = Math.max(...spans.map((s) => s.start_us + s.duration_ms * 1000));
    const total = Math.max(end - start, 1);
    const errors = spans.filter((s) => s.status === "error").length;
    const detail = el("div", { id: "span-detail", class: "detail" }, el("p", { class: "muted" }, "Click a span for its attributes, events and links."));
    // 2,000 rows: plain createElement and one click handler for all of them keep this fast.
    const frag = document.createDocumentFragment();
    const div = (cls, text) => { const e = document.createElement("div"); e.className = cls; if (text !== undefined) e.textContent = text; return e; };
    for (const [s, d] of order) {
      const row = div("wf-row");
      row.dataset.span = s.span_id;
      const name = div("wf-name", s.name);
      name.title = s.name;
      name.style.paddingLeft = Math.min(d, 30) * 10 + "px";
      const track = div("wf-track");
      const bar = div(s.status === "error" ? "bar err" : "bar");
      bar.style.left = (100 * (s.start_us - start) / total) + "%";
      bar.style.width = Math.max(0.2, 100 * s.duration_ms * 1000 / total) + "%";
      track.append(bar);
      row.append(name, div("wf-svc", s.service), track, div("wf-dur", durText(s.duration_ms)));
      frag.append(row);
    }
    const wf = el("div", { id: "waterfall" });
    wf.addEventListener("click", (ev) => {
      const row = ev.target.closest(".wf-row");
      if (row) showSpan(detail, byId.get(row.dataset.span));
    });
    wf.append(frag);
    const services = [...new Set(spans.map((s) => s.service))];
    body.replaceChildren(
      el("div", { class: "cards" }, card("trace-duration", "duration", durText(total / 1000)), card("trace-spans", "spans", spans.length),
        card("trace-errors", "errors", errors, errors > 0), card("trace-services", "services", services.length)),
      el("p", { class: "muted", id: "trace-meta" }, "started " + localTime(start / 1000, true) + " · " + services.join(", ") +
        (a.truncated ? " · truncated at " + a.max_spans + " spans" : "") + " · ",
      link("#logs?trace_id=" + a.trace_id, "logs of this trace", "trace-logs-link"), " · ", link("#traces", "back to search")),
      wf, detail);
  }

  function showSpan(box, s) {
    const kv = (m) => el("table", { class: "kv" }, el("tbody", {}, Object.entries(m || {}).sort().map(([k, v]) => el("tr", {}, el("th", {}, k), el("td", {}, v)))));
    box.replaceChildren(el("h2", {}, s.name),
      el("p", {}, "service " + s.service + " · kind " + s.kind + " · " + durText(s.duration_ms) + " · status " + s.status + (s.status_message ? " (" + s.status_message + ")" : "") +
        " · span " + s.span_id + (s.parent_span_id ? " · parent " + s.parent_span_id : " · root") + " · sample rate " + s.sample_rate),
      el("h2", {}, "Attributes"), kv(s.attributes), el("h2", {}, "Resource"), kv(s.resource),
      el("h2", {}, "Events"), s.events.length ? el("ul", {}, s.events.map((e) => el("li", {}, localTime(e.time_us / 1000, true) + " " + e.name + " " + JSON.stringify(e.attributes)))) : el("p", { class: "muted" }, "none"),
      el("h2", {}, "Links"), s.links.length ? el("ul", {}, s.links.map((l) => el("li", {}, link("#trace/" + l.trace_id, l.trace_id), " span " + l.span_id))) : el("p", { class: "muted" }, "none"));
  }

  // ---------- Logs ----------
  function renderLogs(root, args) {
    const range = rangeControl("logs", () => search(false));
    const service = el("input", { id: "logs-service", placeholder: "service", size: "12", value: args.params.get("service") || "" });
    const severity = el("select", { id: "logs-severity" }, ["", "debug", "info", "warn", "error", "fatal"].map((v) => el("option", { value: v }, v ? v + " and above" : "any severity")));
    const text = el("input", { id: "logs-q", placeholder: "words in the body", size: "22", value: args.params.get("q") || "" });
    const traceId = el("input", { id: "logs-trace-id", placeholder: "trace id", size: "32", value: args.params.get("trace_id") || "" });
    const body = el("div", { id: "logs-body" });
    const more = el("button", { id: "logs-more", type: "button", hidden: true, onclick: () => search(true) }, "Older");
    let before = "";
    root.append(el("h1", {}, "Logs"),
      el("div", { class: "toolbar" }, ...range.nodes, service, severity, text, traceId,
        el("button", { id: "logs-search", type: "button", onclick: () => search(false) }, "Search")),
      el("p", { class: "hint" }, "Text search matches whole words (a token index on the body), case-insensitively."), body, more);
    async function search(older) {
      const p = Object.assign({ service: service.value, severity: severity.value, q: text.value, trace_id: traceId.value.trim(), limit: 100 }, range.params());
      if (older) p.before = before;
      if (!older) state(body, "loading", "searching…");
      let a;
      try {
        a = await api("/logs?" + qs(p));
      } catch (err) {
        state(body, "error", explain(err));
        return;
      }
      before = a.next_before || "";
      more.hidden = !before;
      if (!older && !a.logs.length) {
        state(body, "empty", "no log record in this range matches");
        return;
      }
      let tb = $("logs-rows");
      if (!older || !tb) {
        tb = el("tbody", { id: "logs-rows" });
        body.replaceChildren(el("table", { id: "logs-table" }, el("thead", {}, el("tr", {}, ["time", "severity", "service", "body", "trace"].map((h) => el("th", {}, h)))), tb));
      }
      for (const l of a.logs) {
        tb.append(el("tr", { class: l.severity_number >= 17 ? "dropped" : "" },
          el("td", { class: "mono" }, localTime(l.time, true)), el("td", {}, l.severity_text || String(l.severity_number)), el("td", {}, l.service),
          el("td", { class: "body" }, l.body), el("td", {}, l.trace_id ? link("#trace/" + l.trace_id, l.trace_id.slice(0, 8) + "…", "log-trace-link") : "")));
      }
    }
    if (traceId.value) {
      range.widest();
      search(false);
    } else state(body, "empty", "Search by time range, service, severity, words or trace id.");
  }

  // ---------- Explore ----------
  function renderExplore(root) {
    const range = rangeControl("explore", run);
    const source = el("select", { id: "explore-source" }, ["events", "metrics", "spans", "logs"].map((v) => el("option", { value: v }, v)));
    const names = el("datalist", { id: "explore-names" });
    const name = el("input", { id: "explore-name", placeholder: "event name (empty: all)", size: "20", list: "explore-names" });
    const service = el("input", { id: "explore-service", placeholder: "service (empty: all)", size: "14" });
    const aggregation = el("select", { id: "explore-aggregation" });
    const groupBy = el("input", { id: "explore-group-by", placeholder: "group by (e.g. event_name)", size: "20" });
    const interval = el("select", { id: "explore-interval" }, ["auto", "1m", "5m", "1h", "1d", "all"].map((v) => el("option", { value: v }, v)));
    const body = el("div", { id: "explore-body" });
    const aggs = { events: ["count", "unique_users"], metrics: ["sum", "avg", "min", "max", "count", "rate", "p50", "p90", "p95", "p99"],
      spans: ["count", "traces", "errors", "weighted_count", "weighted_traces", "weighted_errors"], logs: ["count", "errors", "weighted_count"] };
    const placeholders = { events: "event name (empty: all)", metrics: "metric name (required)", spans: "span name (empty: all)", logs: "(logs: no name)" };
    let suggestions = null; // GET /names of the range: metric, event and span names seen
    async function suggest() {
      try {
        suggestions = await api("/names?" + qs(Object.assign({ service: service.value }, range.params())));
      } catch (_) { suggestions = null; }
      fillNames();
    }
    function fillNames() {
      const list = (suggestions && suggestions[source.value]) || [];
      names.replaceChildren(...list.map((n) => el("option", { value: n })));
    }
    function fillAggs() {
      aggregation.replaceChildren(...aggs[source.value].map((a) => el("option", { value: a }, a)));
      name.placeholder = placeholders[source.value];
      name.disabled = source.value === "logs";
      fillNames();
    }
    source.addEventListener("change", fillAggs);
    service.addEventListener("change", suggest);
    fillAggs();
    suggest();
    let last = null; // the last answer, for the chart and the table
    const params = () => {
      const p = Object.assign({ source: source.value, aggregation: aggregation.value, interval: interval.value, group_by: groupBy.value, service: service.value }, range.params());
      if (source.value === "events") p.event_name = name.value;
      else if (source.value === "spans") p.span_name = name.value;
      else if (source.value === "metrics") p.metric_name = name.value;
      return p;
    };
    async function run() {
      state(body, "loading", "loading…");
      try {
        last = await api("/metrics/aggregate?" + qs(params()));
      } catch (err) {
        state(body, "error", explain(err));
        return;
      }
      body.replaceChildren(el("p", { class: "muted", id: "explore-meta" }, range.label() + " · " + last.aggregation + " per " + last.interval + (last.exact === false ? " (approximate)" : "")));
      if (!last.series.length) {
        body.append(el("p", { class: "state empty", "data-state": "empty" }, "no data in this range"));
        return;
      }
      const label = (s) => groupLabel(s, last.group_by);
      if (last.interval !== "all") {
        const r = range.params();
        chart(body, "explore-chart", last.metric_name || (last.event_names || []).join(", ") || last.source, last.series.map(label), seriesData(last.series, (v) => v),
          [Date.parse(r.start_time) / 1000, Date.parse(r.end_time) / 1000]);
      }
      // Buckets without a value are not rows (the chart shows the gap).
      const rows = last.series.flatMap((s) => s.points.filter((p) => p[1] !== null).map((p) => ({ group: label(s), t: localTime(p[0]), v: p[1] })));
      body.append(table("explore-table", [{ label: "group", get: (r) => r.group }, { label: "bucket", get: (r) => r.t }, { label: last.aggregation, get: (r) => r.v }], rows));
    }
    // Export goes through the server (GET /metrics/export, analyst role): a viewer key cannot export.
    async function exportCSV() {
      if (source.value !== "metrics" || !name.value) {
        state(body, "error", "CSV export is of metric points: choose source metrics and a metric name (events: see Reports)");
        return;
      }
      try {
        const resp = await api("/metrics/export?" + qs(Object.assign({ metric_names: name.value, format: "csv" }, range.params())), { raw: true });
        const m = /filename="([^"]+)"/.exec(resp.headers.get("Content-Disposition") || "");
        download(m ? m[1] : "metrics.csv", await resp.blob());
      } catch (err) {
        state(body, "error", explain(err));
      }
    }
    root.append(el("h1", {}, "Explore"),
      el("div", { class: "toolbar" }, source, name, names, service, aggregation, groupBy, interval, ...range.nodes,
        el("button", { id: "explore-run", type: "button", onclick: run }, "Run"),
        el("button", { id: "explore-export", type: "button", onclick: exportCSV }, "Export CSV")),
      body);
    state(body, "empty", "Pick an event or a metric, an aggregation, a grouping and an interval, then Run.");
  }

  // ---------- Pipeline health ----------
  function renderPipeline(root) {
    const history = []; // {t, accepted, refused, sent, failed}
    const refresh = el("select", { id: "pipeline-refresh", onchange: () => schedule() },
      el("option", { value: "0" }, "auto-refresh off"), el("option", { value: "5", selected: true }, "every 5 s"),
      el("option", { value: "30" }, "every 30 s"));
    const body = el("div", { id: "pipeline-body" });
    root.append(el("h1", {}, "Pipeline health"),
      el("p", { class: "muted" }, "The collector's own metrics (service::telemetry): what receivers accepted and refused, what exporters sent and failed, queue fill and memory limiter refusals, since the collector started."),
      el("div", { class: "toolbar" }, refresh), body);
    state(body, "loading", "loading…");

    async function load() {
      let s;
      try {
        s = await api("/dashboard/self-metrics");
      } catch (err) {
        state(body, "error", explain(err));
        return;
      }
      const t = s.totals;
      const bySignal = (sig) => s.receivers.filter((r) => r.signal === sig).reduce((a, r) => a + (r.counts.accepted || 0), 0);
      history.push({ t: Date.parse(s.time) / 1000, spans: bySignal("spans"), metric_points: bySignal("metric_points"),
        log_records: bySignal("log_records"), refused: t.refused, failed: t.send_failed + t.enqueue_failed });
      if (history.length > 360) history.shift();
      const keys = ["spans", "metric_points", "log_records", "refused", "failed"];
      const rates = { x: [] };
      keys.forEach((k) => { rates[k] = []; });
      for (let i = 1; i < history.length; i++) {
        const a = history[i - 1], b = history[i], dt = Math.max(b.t - a.t, 0.001);
        rates.x.push(b.t);
        for (const k of keys) rates[k].push(Math.max(0, (b[k] - a[k]) / dt));
      }
      body.replaceChildren(
        el("div", { class: "cards" },
          card("card-accepted", "accepted records", t.accepted),
          card("card-refused", "refused records", t.refused, t.refused > 0),
          card("card-sent", "exported records", t.sent),
          card("card-export-failed", "export failures", t.send_failed + t.enqueue_failed, t.send_failed + t.enqueue_failed > 0),
          card("card-queue", "queue size / capacity", fmt(t.queue_size) + " / " + fmt(t.queue_capacity)),
          card("card-memory", "memory limiter refusals", t.memory_limiter_refused, t.memory_limiter_refused > 0)));
      if (rates.x.length) {
        chart(body, "pipeline-chart", "records accepted per second, by signal", ["spans", "metric points", "log records", "refused", "export failed"],
          [rates.x].concat(keys.map((k) => rates[k])), 30);
      } else {
        body.append(el("p", { class: "state loading muted" }, "the rate chart appears after the next refresh"));
      }
      body.append(el("h2", {}, "Receivers"),
        s.receivers.length ? table("pipeline-receivers", [
          { label: "receiver", get: (r) => r.component }, { label: "signal", get: (r) => r.signal },
          { label: "accepted", get: (r) => r.counts.accepted || 0 }, { label: "refused", get: (r) => r.counts.refused || 0 },
          { label: "failed", get: (r) => r.counts.failed || 0 }], s.receivers) : el("p", { class: "state empty" }, "no receiver has reported yet"),
        el("h2", {}, "Exporters"),
        s.exporters.length ? table("pipeline-exporters", [
          { label: "exporter", get: (r) => r.component }, { label: "signal", get: (r) => r.signal },
          { label: "sent", get: (r) => r.counts.sent || 0 }, { label: "send failed", get: (r) => r.counts.send_failed || 0 },
          { label: "enqueue failed", get: (r) => r.counts.enqueue_failed || 0 }], s.exporters) : el("p", { class: "state empty" }, "no exporter has reported yet"));
    }

    function schedule() {
      clearTimers();
      const secs = Number(refresh.value);
      if (secs > 0) timers.push(setInterval(load, secs * 1000));
    }
    // A second sample soon after the first, so the rate chart is drawn without waiting a full interval.
    load().then(() => setTimeout(() => { if (!$("page-pipeline").hidden) load(); }, 1000));
    schedule();
  }

  // ---------- Privacy ----------
  function renderPrivacy(root) {
    const counters = el("div", { id: "privacy-counters" });
    const history = el("div", { id: "privacy-history" });
    const deletions = el("div", { id: "privacy-deletions" });
    const policy = el("div", { id: "privacy-policy" });
    root.append(el("h1", {}, "Privacy"),
      el("h2", {}, "Privacy policy of this tenant"), policy,
      el("p", { class: "muted" }, "What the privacy controls did: records kept and dropped by the consent processor (per purpose and reason), PII redactions by detector, and consent grants and denials stored in ClickHouse."),
      el("h2", {}, "Consent and redaction in the pipeline (collector-wide, since start)"), counters,
      el("h2", {}, "Consent changes, last 30 days (k-anonymous)"), history,
      el("h2", {}, "Deletion requests, last 30 days (k-anonymous)"), deletions);
    state(counters, "loading", "loading…");
    state(history, "loading", "loading…");
    state(deletions, "loading", "loading…");
    renderPolicy(policy);

    api("/dashboard/self-metrics").then((s) => {
      const t = s.totals;
      const consent = s.consent.filter((r) => r.records > 0);
      counters.replaceChildren(el("div", { class: "cards" },
        card("card-consent-passed", "records kept", t.consent_passed),
        card("card-consent-dropped", "records dropped for consent", t.consent_dropped, t.consent_dropped > 0),
        card("card-consent-anonymized", "records anonymized", t.consent_anonymized),
        card("card-redactions", "PII redactions", t.pii_redactions)));
      counters.append(consent.length ? table("privacy-consent", [
        { label: "signal", get: (r) => r.signal }, { label: "purpose", get: (r) => r.purpose },
        { label: "outcome", get: (r) => r.outcome }, { label: "reason", get: (r) => reasons[r.reason] || r.reason },
        { label: "records", get: (r) => r.records }], consent, (r) => r.outcome) : el("p", { class: "state empty" }, "no record has passed the consent processor yet"));
      const red = s.redactions.filter((r) => r.count > 0);
      counters.append(red.length ? table("privacy-redactions", [
        { label: "detector", get: (r) => r.detector }, { label: "signal", get: (r) => r.signal },
        { label: "redactions", get: (r) => r.count }], red) : el("p", { class: "state empty" }, "no PII redacted yet"));
    }).catch((err) => state(counters, "error", explain(err)));

    api("/dashboard/reports?type=privacy&period=30d&format=json").then((rep) => {
      history.replaceChildren();
      const byPurpose = rep.sections.find((s) => s.name === "consent_by_purpose");
      const byDay = rep.sections.find((s) => s.name === "consent_by_day");
      const days = byDay.rows.slice().sort((a, b) => a.group.localeCompare(b.group));
      chart(history, "privacy-consent-chart", "consent changes per day", ["granted", "denied", "withdrawn"], [
        days.map((r) => Date.parse(r.group + "T00:00:00Z") / 1000),
        days.map((r) => r.values.granted), days.map((r) => r.values.denied), days.map((r) => r.values.withdrawn)], 2 * 86400);
      history.append(sectionTable(byPurpose));
      const del = rep.sections.find((s) => s.name === "deletion_requests");
      deletions.replaceChildren(sectionTable(del));
    }).catch((err) => { state(history, "error", explain(err)); state(deletions, "error", explain(err)); });
  }

  // ---------- Privacy policy (GET/PUT /privacy/policy, history, dry run) ----------
  // The effective policy and its history; an admin edits it as JSON, must dry-run the exact draft
  // on a sample first, and applies it with the ETag it was read with (a concurrent change is 412).
  const SAMPLE = JSON.stringify({ resourceLogs: [{ resource: { attributes: [{ key: "service.name", value: { stringValue: "checkout" } }] },
    scopeLogs: [{ logRecords: [{ body: { stringValue: "order placed" }, attributes: [
      { key: "note", value: { stringValue: "contact jane.doe@example.com or +1 415 555 0100" } },
      { key: "client.address", value: { stringValue: "203.0.113.77" } },
      { key: "user.id", value: { stringValue: "user-42" } }] }] }] }] }, null, 2);

  function renderPolicy(box) {
    state(box, "loading", "loading…");
    let etag = "";
    let triedDraft = null; // the draft text the last successful dry run used
    const effective = el("pre", { id: "policy-effective", class: "code" });
    const meta = el("p", { id: "policy-meta", class: "muted" });
    const hist = el("div", { id: "policy-history" });
    const draft = el("textarea", { id: "policy-draft", rows: 8, cols: 60, spellcheck: "false" });
    const sample = el("textarea", { id: "policy-sample", rows: 8, cols: 60, spellcheck: "false" });
    sample.value = SAMPLE;
    const msg = el("p", { id: "policy-message", role: "status" });
    const result = el("div", { id: "policy-dryrun" });
    const apply = el("button", { id: "policy-apply", type: "button", disabled: true }, "Apply");
    const tryIt = el("button", { id: "policy-test", type: "button" }, "Dry run");
    draft.addEventListener("input", () => { apply.disabled = draft.value !== triedDraft; });

    function parseDraft() {
      try { return JSON.parse(draft.value || "{}"); } catch (e) { throw new Error("the draft is not JSON: " + e.message); }
    }
    function showError(err) {
      msg.className = "error";
      const field = err.field ? " (field " + err.field + ")" : "";
      msg.textContent = explain(err) + field;
    }
    async function load() {
      const resp = await fetch(BASE + "/privacy/policy", { headers: { Authorization: "Bearer " + sessionStorage.getItem(KEY) }, cache: "no-store" });
      const body = await resp.json().catch(() => null);
      if (!resp.ok) throw new APIError(resp.status, body);
      etag = resp.headers.get("ETag") || "";
      effective.textContent = body.default ? "(default: the operator's configuration applies)" : JSON.stringify(body.policy, null, 2);
      meta.textContent = body.default ? "version 0" : "version " + body.version + ", changed by " + body.updated_by + " at " + body.updated_at;
      if (!draft.value) draft.value = JSON.stringify(body.default ? { mode: "strict" } : body.policy, null, 2);
      const h = await api("/privacy/policy/history?limit=20");
      hist.replaceChildren(h.history.length ? table("policy-history-table", [
        { label: "version", get: (r) => String(r.version) }, { label: "changed at", get: (r) => r.updated_at },
        { label: "by", get: (r) => r.updated_by }, { label: "policy", get: (r) => JSON.stringify(r.policy) }], h.history)
        : el("p", { class: "state empty", "data-state": "empty" }, "no change yet"));
    }
    tryIt.addEventListener("click", async () => {
      msg.className = ""; msg.textContent = "running…"; result.replaceChildren();
      try {
        const text = draft.value;
        const body = JSON.stringify({ signal: "logs", sample: JSON.parse(sample.value), policy: parseDraft() });
        const r = await api("/privacy/policy/test", { method: "POST", headers: { "Content-Type": "application/json" }, body });
        result.append(
          table("policy-changes", [{ label: "field", get: (c) => c.field }, { label: "action", get: (c) => c.action },
            { label: "detector", get: (c) => c.detector || "" }, { label: "before", get: (c) => c.before }, { label: "after", get: (c) => c.after || "" }], r.changes),
          el("h3", {}, "Record as it would be stored (nothing was stored)"),
          el("pre", { id: "policy-record", class: "code" }, JSON.stringify(r.record, null, 2)));
        triedDraft = text; apply.disabled = false;
        msg.textContent = r.changes.length + " change(s); nothing stored. Apply to put this draft in effect.";
      } catch (err) { apply.disabled = true; showError(err); }
    });
    apply.addEventListener("click", async () => {
      if (draft.value !== triedDraft) { apply.disabled = true; return; }
      try {
        await api("/privacy/policy", { method: "PUT", headers: { "Content-Type": "application/json", "If-Match": etag }, body: JSON.stringify(parseDraft()) });
        msg.className = ""; msg.textContent = "applied";
        triedDraft = null; apply.disabled = true;
        await load();
      } catch (err) { showError(err); }
    });
    load().then(() => {
      box.replaceChildren(el("h3", {}, "In effect"), meta, effective, el("h3", {}, "History"), hist,
        el("h3", {}, "Edit (JSON: mode, pii_fields, pii_fields_action, identifier_fields, hash_identifiers, anonymize_ips, actions, retention_days)"),
        el("label", { for: "policy-draft" }, "Draft policy"), draft,
        el("label", { for: "policy-sample" }, "Sample (OTLP JSON logs)"), sample,
        el("div", { class: "buttons" }, tryIt, apply), msg, result);
    }).catch((err) => state(box, "error", explain(err)));
  }

  // Why the consent processor kept or dropped a record, in words (reason label of its metric).
  const reasons = {
    granted: "consent granted", denied: "consent denied", withdrawn: "consent withdrawn",
    default_opt_in: "no consent recorded (opt-in policy, e.g. strict mode)", default_opt_out: "no record (opt-out policy)",
    store_incomplete: "consent store incomplete (fail closed)", anonymous: "no user id", disabled: "consent check disabled",
  };

  function sectionTable(s) {
    const wrap = el("div", { class: "section", id: "section-" + s.name });
    wrap.append(el("h2", {}, s.title));
    if (s.rows.length) {
      wrap.append(table("table-" + s.name, [{ label: s.group_by, get: (r) => r.group }].concat(
        s.measures.map((m) => ({ label: m.replaceAll("_", " "), get: (r) => r.values[m] }))), s.rows));
    } else if (!s.withheld_groups) {
      wrap.append(el("p", { class: "state empty", "data-state": "empty" }, "no data in this range"));
    } else {
      // There is data, all of it in groups too small to show: not "no data".
      wrap.append(el("p", { class: "state empty", "data-state": "withheld" }, "every group in this range is withheld"));
    }
    wrap.append(el("p", { class: "muted withheld", "data-withheld": s.withheld_groups },
      s.withheld_groups + " group(s) withheld (fewer than k distinct users)"));
    return wrap;
  }

  // ---------- Reports ----------
  function renderReports(root) {
    const type = el("select", { id: "report-type" }, el("option", { value: "usage" }, "usage"), el("option", { value: "privacy" }, "privacy"));
    const period = el("select", { id: "report-period" }, el("option", { value: "1d" }, "last day"),
      el("option", { value: "7d", selected: true }, "last 7 days"), el("option", { value: "30d" }, "last 30 days"));
    const k = el("input", { id: "report-k", type: "number", min: "2", placeholder: "k (default)", size: "8" });
    const prop = el("input", { id: "report-property", type: "text", placeholder: "break down by property (optional)", size: "28" });
    const body = el("div", { id: "report-body" });
    const query = (format) => {
      const q = new URLSearchParams({ type: type.value, period: period.value, format });
      if (k.value) q.set("k", k.value);
      if (prop.value && type.value === "usage") q.set("property", prop.value);
      return "/dashboard/reports?" + q.toString();
    };
    async function show() {
      state(body, "loading", "loading…");
      try {
        const rep = await api(query("json"));
        body.replaceChildren(el("p", { class: "muted", id: "report-meta" }, "tenant " + rep.tenant + " · k = " + rep.k + " · " + localTime(rep.from) + " to " + localTime(rep.to) + " (this browser's time zone)"));
        rep.sections.forEach((s) => body.append(sectionTable(s)));
        body.append(el("ul", { class: "muted" }, rep.notes.map((n) => el("li", {}, n))));
      } catch (err) {
        state(body, "error", explain(err));
      }
    }
    async function save(format) {
      try {
        const resp = await api(query(format), { raw: true });
        const cd = resp.headers.get("Content-Disposition") || "";
        const m = /filename="([^"]+)"/.exec(cd);
        const blob = await resp.blob();
        // The printable report opens in a tab (same origin, same CSP); CSV and JSON are saved.
        if (format === "html") {
          const url = URL.createObjectURL(blob);
          if (window.open(url, "_blank")) { setTimeout(() => URL.revokeObjectURL(url), 60000); return; }
          URL.revokeObjectURL(url);
        }
        download(m ? m[1] : "telemetry-" + type.value + "-report." + format, blob);
      } catch (err) {
        state(body, "error", explain(err));
      }
    }
    root.append(el("h1", {}, "Reports"),
      el("p", { class: "muted" }, "Privacy-safe reports: every group with fewer than k distinct users is withheld, and totals cover shown rows only."),
      el("div", { class: "toolbar" }, type, period, k, prop,
        el("button", { id: "report-show", type: "button", onclick: show }, "Show"),
        el("button", { id: "report-csv", type: "button", onclick: () => save("csv") }, "Export CSV"),
        el("button", { id: "report-json", type: "button", onclick: () => save("json") }, "Export JSON"),
        el("button", { id: "report-html", type: "button", onclick: () => save("html") }, "Printable HTML")),
      body);
    show();
  }

  // ---------- start ----------
  document.addEventListener("DOMContentLoaded", () => {
    $("signin-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      const key = $("api-key").value.trim();
      if (key) signIn(key);
    });
    $("signout").addEventListener("click", () => signOut());
    window.addEventListener("hashchange", route);
    const key = sessionStorage.getItem(KEY);
    if (key) signIn(key); else showSignIn();
  });
})();
