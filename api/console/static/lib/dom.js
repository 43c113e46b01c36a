// A tiny element builder and a few formatters. Text always goes in as text (never innerHTML), so
// nothing the API returns (file names, prompts, captions) can inject markup.

/**
 * h("button", {class: "primary", onclick: fn}, "Save") → <button class="primary">Save</button>
 * Attributes: `class`, `for`, `aria-*`, `data-*`, booleans (true → present, false/null → absent),
 * `on<event>` functions become listeners. Children: nodes, strings, numbers, arrays; null is skipped.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      el.addEventListener(name.slice(2), value);
    } else if (name === "value" && "value" in el) {
      el.value = value;
    } else if (name === "checked" || name === "selected") {
      el[name] = Boolean(value);
    } else {
      el.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

/** Replace every child of `el`. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let uid = 0;
/** A unique id for pairing a <label for> with its control. */
export function newId(prefix = "f") {
  uid += 1;
  return `${prefix}-${uid}`;
}

/** A labelled form control: <div class="field"><label for=id>text</label>control</div>. */
export function field(labelText, control, hint = null) {
  if (!control.id) control.id = newId();
  const parts = [h("label", { for: control.id }, labelText), control];
  if (hint) {
    const hintId = newId("hint");
    control.setAttribute("aria-describedby", hintId);
    parts.push(h("small", { id: hintId, class: "hint" }, hint));
  }
  return h("div", { class: "field" }, parts);
}

/** <select> from [{value, label}] (or [value]) with an optional selected value. */
export function select(attrs, options, selected = null) {
  const el = h("select", attrs);
  fillSelect(el, options, selected);
  return el;
}

export function fillSelect(el, options, selected = null) {
  el.replaceChildren();
  for (const opt of options) {
    if (opt && opt.group) {
      const group = h("optgroup", { label: opt.group });
      for (const o of opt.options) group.append(option(o, selected));
      if (opt.options.length) el.append(group);
    } else {
      el.append(option(opt, selected));
    }
  }
}

function option(opt, selected) {
  const { value, label } = typeof opt === "object" ? opt : { value: opt, label: opt };
  return h("option", { value, selected: value === selected }, label);
}

/** A message in the page's polite live region (screen readers read it; nothing moves focus). */
export function announce(message) {
  const region = document.getElementById("announcer");
  if (!region) return;
  region.textContent = "";
  // A separate task, so the same message twice is still announced.
  setTimeout(() => {
    region.textContent = message;
  }, 30);
}

/** An error box (role=alert) that shows an ApiError's `detail` and its per-field/per-file `errors`. */
export function errorBox() {
  const box = h("div", { class: "error", role: "alert", hidden: true });
  return {
    el: box,
    show(error) {
      const detail = error && error.detail ? error.detail : String(error);
      const items = (error && error.errors) || [];
      replace(
        box,
        h("p", {}, detail),
        items.length
          ? h("ul", {}, items.map((e) => h("li", {}, [e.filename || (e.loc || []).join("."), e.detail].filter(Boolean).join(": "))))
          : null,
      );
      box.hidden = false;
    },
    clear() {
      box.hidden = true;
      box.replaceChildren();
    },
  };
}

export function formatBytes(n) {
  if (n === null || n === undefined) return "";
  const units = ["B", "KB", "MB", "GB"];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return `${v.toFixed(i ? 1 : 0)} ${units[i]}`;
}

export function formatTime(iso) {
  if (!iso) return "";
  return new Date(iso).toLocaleString();
}

export function percent(fraction) {
  return `${Math.round((fraction || 0) * 100)} %`;
}

/** A random Idempotency-Key (crypto.randomUUID needs a secure context; getRandomValues does not). */
export function idempotencyKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * A table whose cells carry their column name (`data-label`), so at phone width each row can stack into
 * a card (style.css) instead of scrolling sideways. `set(rows)` replaces the body, `add(row, {first})`
 * inserts one <tr>.
 */
export function dataTable(headers, attrs = {}) {
  const body = h("tbody", {});
  const table = h("table", { class: "stack", ...attrs }, h("thead", {}, h("tr", {}, headers.map((t) => h("th", { scope: "col" }, t)))), body);
  const label = (row) => {
    Array.from(row.cells).forEach((cell, i) => {
      if (headers[i]) cell.dataset.label = headers[i];
    });
    return row;
  };
  return {
    el: h("div", { class: "table-wrap" }, table),
    table,
    body,
    set(rows) {
      replace(body, rows.map(label));
    },
    add(row, { first = false } = {}) {
      if (first) body.prepend(label(row));
      else body.append(label(row));
    },
  };
}
