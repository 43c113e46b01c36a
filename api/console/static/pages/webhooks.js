// Webhooks: endpoints (create — the signing secret is shown once —, delete) and each one's deliveries.

import { api } from "../lib/api.js";
import { announce, dataTable, errorBox, field, formatTime, h, idempotencyKey, replace } from "../lib/dom.js";

export default async function webhooksPage(root, { params }) {
  const errors = errorBox();
  const url = h("input", { type: "url", name: "url", required: true, maxlength: 2000, placeholder: "https://example.com/hooks/fotogen" });
  const events = h("input", { name: "events", value: "*", required: true });
  const description = h("input", { name: "description", maxlength: 500 });
  const secret = h("div", { "aria-live": "polite" });
  const list = dataTable(["URL", "Events", "Description", "Created", "Actions"]);
  const deliveries = h("div", {});

  const form = h(
    "form",
    { class: "card", "aria-labelledby": "new-endpoint" },
    h("h2", { id: "new-endpoint" }, "New endpoint"),
    field("URL", url),
    h(
      "div",
      { class: "row" },
      field("Events", events, "Comma-separated event types (training.succeeded, generation.failed, …) or * for all."),
      field("Description", description),
    ),
    errors.el,
    h("button", { type: "submit", class: "primary" }, "Add endpoint"),
    secret,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    errors.clear();
    const body = {
      url: url.value,
      events: events.value.split(",").map((s) => s.trim()).filter(Boolean),
      description: description.value || null,
    };
    try {
      const created = await api.post("/v1/webhook-endpoints", body, { "Idempotency-Key": idempotencyKey() });
      replace(
        secret,
        h("p", {}, "Signing secret — shown only now, copy it:"),
        h("output", { class: "secret", "data-role": "secret" }, created.secret),
      );
      announce("Endpoint added. Copy its signing secret now.");
      await load();
    } catch (error) {
      errors.show(error);
    }
  });

  async function load() {
    const endpoints = await api.all("/v1/webhook-endpoints");
    list.set(endpoints.map((e) => endpointRow(e, errors, load)));
  }

  replace(
    root,
    h("h1", {}, "Webhooks"),
    form,
    h("h2", {}, "Endpoints"),
    list.el,
    deliveries,
  );
  await load();
  if (params[0]) await showDeliveries(deliveries, params[0]);
}

function endpointRow(endpoint, errors, reload) {
  const remove = h("button", { type: "button", class: "link danger", "aria-label": `Delete endpoint ${endpoint.url}` }, "Delete");
  remove.addEventListener("click", async () => {
    if (!window.confirm(`Delete the endpoint ${endpoint.url}?`)) return;
    errors.clear();
    try {
      await api.del(`/v1/webhook-endpoints/${endpoint.id}`);
      announce("Endpoint deleted.");
      await reload();
    } catch (error) {
      errors.show(error);
    }
  });
  return h(
    "tr",
    { "data-endpoint-id": endpoint.id },
    h("td", { class: "wrap" }, endpoint.url),
    h("td", {}, endpoint.events.join(", ")),
    h("td", {}, endpoint.description || ""),
    h("td", {}, formatTime(endpoint.created_at)),
    h("td", {}, h("a", { href: `#/webhooks/${endpoint.id}` }, "Deliveries"), " ", remove),
  );
}

async function showDeliveries(container, endpointId) {
  const page = await api.get(`/v1/webhook-endpoints/${encodeURIComponent(endpointId)}/deliveries`, { limit: 50 });
  const rows = page.data.map((d) =>
    h(
      "tr",
      {},
      h("td", {}, d.event_type),
      h("td", {}, d.status),
      h("td", { class: "num" }, d.attempts),
      h("td", { class: "num" }, d.last_status_code ?? "—"),
      h("td", { class: "num" }, d.last_latency_ms === null ? "—" : `${d.last_latency_ms} ms`),
      h("td", { class: "wrap" }, d.last_error || ""),
      h("td", {}, formatTime(d.created_at)),
    ),
  );
  const table = dataTable(["Event", "Status", "Attempts", "HTTP", "Latency", "Error", "Created"]);
  table.set(rows);
  replace(container, h("h2", {}, "Deliveries"), rows.length ? table.el : h("p", {}, "No deliveries yet."));
}
