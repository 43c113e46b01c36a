// Events: your events live (SSE, from now on) and the history (oldest first, page by page).

import { api } from "../lib/api.js";
import { errorBox, h, replace } from "../lib/dom.js";
import { follow } from "../lib/stream.js";

const LIVE_ROWS = 200;

export default async function eventsPage(root) {
  const errors = errorBox();
  const live = h("tbody", {});
  const state = h("p", { class: "hint", role: "status" }, "Connecting…");
  const history = h("tbody", {});
  const more = h("button", { type: "button" }, "Load more");
  let after = null;

  async function loadHistory() {
    errors.clear();
    try {
      const page = await api.get("/v1/events", { limit: 50, after });
      history.append(...page.data.map(eventRow));
      after = page.next_cursor;
      more.hidden = !page.has_more;
    } catch (error) {
      errors.show(error);
    }
  }
  more.addEventListener("click", loadHistory);

  replace(
    root,
    h("h1", {}, "Events"),
    errors.el,
    h("h2", {}, "Live"),
    state,
    table(live),
    h("h2", {}, "History"),
    table(history),
    more,
  );
  const stream = follow({
    path: "/v1/events/stream",
    onEvent(event) {
      live.prepend(eventRow(event));
      while (live.rows.length > LIVE_ROWS) live.deleteRow(-1);
    },
    onState(s) {
      state.textContent = { open: "Connected.", reconnecting: "Reconnecting…", closed: "Closed.", error: "Cannot connect." }[s] || s;
    },
  });
  await loadHistory();
  return stream.stop;
}

function table(body) {
  return h(
    "div",
    { class: "table-wrap" },
    h("table", {}, h("thead", {}, h("tr", {}, ["#", "Type", "Job", "Message", "At"].map((t) => h("th", { scope: "col" }, t)))), body),
  );
}

function eventRow(event) {
  const job = (event.data && event.data.job) || {};
  const message = (event.data && event.data.message) || [job.status, job.stage].filter(Boolean).join(" · ");
  return h(
    "tr",
    { "data-event-id": event.id },
    h("td", { class: "num" }, event.id),
    h("td", {}, event.type),
    h("td", {}, event.job_id),
    h("td", { class: "wrap" }, message),
    h("td", {}, new Date(event.created_at).toLocaleString()),
  );
}
