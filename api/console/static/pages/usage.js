// Usage: the owner's policy (prices, credits required, per-end-user limits, moderation) viewed and
// replaced (PUT /v1/policy replaces the whole document), the end users seen with their balance and usage,
// granting or debiting credits (with an Idempotency-Key), and one end user's ledger.

import { api } from "../lib/api.js";
import { announce, dataTable, errorBox, field, formatTime, h, idempotencyKey, replace } from "../lib/dom.js";

const PRICES = ["generation_image", "training", "mesh_item", "video"];
const LIMITS = ["generation_images_per_day", "trainings_per_month", "videos_per_day", "mesh_items_per_day", "concurrent_jobs"];
const label = (name) => name.replaceAll("_", " ").replace(/^./, (c) => c.toUpperCase());

export default async function usagePage(root, { params }) {
  if (params[0]) return endUserView(root, params[0]);
  const [policy, users] = await Promise.all([api.get("/v1/policy"), api.get("/v1/end-users", { limit: 100 })]);
  const table = dataTable(["End user", "Balance", "Reserved", "Images today", "Trainings this month"]);
  table.set(
    users.data.map((u) =>
      h(
        "tr",
        { "data-end-user": u.id },
        h("td", {}, h("a", { href: `#/usage/${encodeURIComponent(u.id)}` }, u.id)),
        h("td", { class: "usage-balance" }, String(u.credits.balance)),
        h("td", {}, String(u.credits.reserved)),
        h("td", {}, String(u.usage.generation_images_per_day)),
        h("td", {}, String(u.usage.trainings_per_month)),
      ),
    ),
  );
  replace(
    root,
    h("h1", {}, "Usage"),
    policyForm(policy),
    h("h2", {}, "End users"),
    users.data.length ? table.el : h("p", { class: "hint" }, "No end user yet: one appears once a job or a credit entry names it."),
    grantForm(null),
  );
  return undefined;
}

function numberInput(name, value, { nullable = false } = {}) {
  return h("input", { type: "number", name, min: 0, step: 1, value: value ?? "", placeholder: nullable ? "unlimited" : null, required: !nullable });
}

function policyForm(policy) {
  const errors = errorBox();
  const prices = Object.fromEntries(PRICES.map((p) => [p, numberInput(`price-${p}`, policy.prices[p])]));
  const limits = Object.fromEntries(LIMITS.map((l) => [l, numberInput(`limit-${l}`, policy.limits[l], { nullable: true })]));
  const required = h("input", { type: "checkbox", name: "credits_required", checked: policy.credits_required });
  const blocked = h("textarea", { name: "blocked_terms", rows: 3 }, (policy.moderation.blocked_terms || []).join("\n"));
  const force = h("input", { type: "checkbox", name: "force_safety_checker", checked: policy.moderation.force_safety_checker });
  const withhold = h("input", { type: "checkbox", name: "withhold_nsfw_images", checked: policy.moderation.withhold_nsfw_images });
  const form = h(
    "form",
    { class: "card", "aria-labelledby": "policy-title" },
    h("h2", { id: "policy-title" }, "Policy"),
    h("fieldset", {}, h("legend", {}, "Prices (credits per unit)"), h("div", { class: "row" }, PRICES.map((p) => field(label(p), prices[p])))),
    h("div", { class: "field check" }, h("label", {}, required, " Credits required (a chargeable job must name an end user who has enough)")),
    h("fieldset", {}, h("legend", {}, "Limits per end user (empty: unlimited; UTC days and months)"), h("div", { class: "row" }, LIMITS.map((l) => field(label(l), limits[l])))),
    h(
      "fieldset",
      {},
      h("legend", {}, "Moderation"),
      field("Blocked terms", blocked, "One per line; matched as whole words, case and accents ignored."),
      h("div", { class: "field check" }, h("label", {}, force, " Always run the safety checker")),
      h("div", { class: "field check" }, h("label", {}, withhold, " Withhold images flagged NSFW (refunded)")),
    ),
    errors.el,
    h("button", { type: "submit", class: "primary" }, "Save policy"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    errors.clear();
    const body = {
      prices: Object.fromEntries(PRICES.map((p) => [p, parseInt(prices[p].value, 10)])),
      credits_required: required.checked,
      limits: Object.fromEntries(LIMITS.map((l) => [l, limits[l].value === "" ? null : parseInt(limits[l].value, 10)])),
      moderation: {
        blocked_terms: blocked.value.split("\n").map((t) => t.trim()).filter(Boolean),
        force_safety_checker: force.checked,
        withhold_nsfw_images: withhold.checked,
      },
    };
    try {
      await api.put("/v1/policy", body);
      announce("Policy saved.");
    } catch (error) {
      errors.show(error);
    }
  });
  return form;
}

/** Grant (positive) or debit (negative) credits; without `endUser` the form asks for the id. */
function grantForm(endUser, onDone = null) {
  const errors = errorBox();
  const who = h("input", { name: "end_user", required: true, maxlength: 128, autocomplete: "off" });
  const amount = h("input", { type: "number", name: "amount", required: true, step: 1 });
  const description = h("input", { name: "description", maxlength: 500 });
  const form = h(
    "form",
    { class: "card", "aria-labelledby": "grant-title" },
    h("h2", { id: "grant-title" }, "Grant or debit credits"),
    endUser ? null : field("End user id", who),
    h("div", { class: "row" }, field("Amount", amount, "Positive grants, negative debits (never past the balance)."), field("Description", description)),
    errors.el,
    h("button", { type: "submit", class: "primary" }, "Record"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    errors.clear();
    const id = endUser || who.value.trim();
    const body = { amount: parseInt(amount.value, 10) };
    if (description.value.trim()) body.description = description.value.trim();
    try {
      const entry = await api.post(`/v1/end-users/${encodeURIComponent(id)}/credits`, body, { "Idempotency-Key": idempotencyKey() });
      announce(`Recorded; balance ${entry.balance_after}.`);
      if (onDone) await onDone(entry);
      else location.hash = `#/usage/${encodeURIComponent(id)}`;
    } catch (error) {
      errors.show(error);
    }
  });
  return form;
}

async function endUserView(root, id) {
  const path = `/v1/end-users/${encodeURIComponent(id)}`;
  const [user, ledger] = await Promise.all([api.get(path), api.get(`${path}/ledger`, { limit: 100 })]);
  const summary = h("p", { "data-role": "balance", class: "usage-balance" });
  const table = dataTable(["When", "Kind", "Amount", "Balance after", "Job", "Description"]);
  function show(u, entries) {
    summary.textContent = `Balance ${u.credits.balance} · reserved ${u.credits.reserved}`;
    summary.dataset.balance = String(u.credits.balance);
    table.set(
      entries.map((e) =>
        h(
          "tr",
          { "data-ledger-id": e.id, "data-kind": e.kind },
          h("td", {}, formatTime(e.created_at)),
          h("td", {}, e.kind),
          h("td", {}, e.amount > 0 ? `+${e.amount}` : String(e.amount)),
          h("td", {}, String(e.balance_after)),
          h("td", {}, e.job_id ? `${e.job_type} ${e.job_id}${e.quantity ? ` ×${e.quantity}` : ""}` : ""),
          h("td", {}, e.description || ""),
        ),
      ),
    );
  }
  show(user, ledger.data);
  const usage = h(
    "dl",
    { class: "usage" },
    LIMITS.flatMap((l) => [h("dt", {}, label(l)), h("dd", {}, `${user.usage[l]} of ${user.limits[l] ?? "unlimited"}`)]),
  );
  replace(
    root,
    h("p", {}, h("a", { href: "#/usage" }, "← Usage")),
    h("h1", {}, `End user ${id}`),
    summary,
    usage,
    grantForm(id, async () => show(await api.get(path), (await api.get(`${path}/ledger`, { limit: 100 })).data)),
    h("h2", {}, "Ledger"),
    table.el,
  );
  return undefined;
}
