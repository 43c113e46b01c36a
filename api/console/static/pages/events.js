// Events: your events live (SSE, from now on) and the history (oldest first, page by page).

import { api } from "../lib/api.js";
import { dataTable, errorBox, h, replace } from "../lib/dom.js";
import { follow } from "../lib/stream.js";

const LIVE_ROWS = 200;

export default async function eventsPage(root) {
  const errors = errorBox();
  const live = eventTable();
  const state = h("p", { class: "hint", role: "status" }, "Connecting…");
  const history = eventTable();
  const more = h("button", { type: "button" }, "Load more");
  let after = null;

  async function loadHistory() {
    errors.clear();
    try {
      const page = await api.get("/v1/events", { limit: 50, after });
      for (const event of page.data) history.add(eventRow(event));
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
    live.el,
    h("h2", {}, "History"),
    history.el,
    more,
  );
  const stream = follow({
    path: "/v1/events/stream",
    onEvent(event) {
      live.add(eventRow(event), { first: true });
      while (live.body.rows.length > LIVE_ROWS) live.body.deleteRow(-1);
    },
    onState(s) {
      state.textContent = { open: "Connected.", reconnecting: "Reconnecting…", closed: "Closed.", error: "Cannot connect." }[s] || s;
    },
  });
  await loadHistory();
  return stream.stop;
}

function eventTable() {
  return dataTable(["#", "Type", "Job", "Message", "At"]);
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
