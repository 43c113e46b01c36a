// Train: dataset and base-model dropdowns from the API, trainer from the model, params from the chosen
// trainer's `params_schema` (Fal's inputs); then a live progress bar, stage and log lines over SSE, and cancel.

import { api } from "../lib/api.js";
import { announce, errorBox, field, fillSelect, formatTime, h, idempotencyKey, percent, replace, select } from "../lib/dom.js";
import { follow, isTerminal } from "../lib/stream.js";

export default async function trainPage(root, { params, navigate }) {
  const [datasets, models, recent] = await Promise.all([
    api.all("/v1/datasets"),
    api.all("/v1/models", { type: "base", category: "image" }),
    api.get("/v1/trainings", { limit: 10 }),
  ]);
  const trainable = models.filter((m) => (m.trainers || []).length);
  const form = trainingForm(datasets, trainable, navigate);
  const panel = h("div", { "aria-live": "off" });
  replace(
    root,
    h("h1", {}, "Train"),
    form,
    panel,
    h("h2", {}, "Recent trainings"),
    recentList(recent.data),
  );
  return params[0] ? trainingPanel(panel, params[0]) : undefined;
}

function trainingForm(datasets, models, navigate) {
  const errors = errorBox();
  const dataset = select(
    { name: "dataset_id", required: true },
    datasets.map((d) => ({ value: d.id, label: `${d.name} (${d.image_count} photos)` })),
  );
  const model = select({ name: "base_model_id", required: true }, models.map((m) => ({ value: m.id, label: m.name })));
  const trainer = select({ name: "trainer" }, []);
  const paramRow = h("div", { class: "row" });
  let paramFields = [];
  const trainersOf = () => (models.find((m) => m.id === model.value) || { trainers: [] }).trainers;
  const syncParams = () => {
    const chosen = trainersOf().find((t) => t.name === trainer.value);
    paramFields = schemaFields(chosen ? chosen.params_schema : null);
    paramRow.replaceChildren(...paramFields.map((p) => p.el));
  };
  const syncTrainers = () => {
    fillSelect(trainer, trainersOf().map((t) => t.name));
    syncParams();
  };
  model.addEventListener("change", syncTrainers);
  trainer.addEventListener("change", syncParams);
  syncTrainers();
  const name = h("input", { name: "name", maxlength: 200 });
  const trigger = h("input", { name: "trigger_word", maxlength: 50 });
  const form = h(
    "form",
    { class: "card", "aria-labelledby": "new-training" },
    h("h2", { id: "new-training" }, "New training"),
    datasets.length ? null : h("p", {}, "Create a dataset with photos first: ", h("a", { href: "#/datasets" }, "Datasets"), "."),
    h("div", { class: "row" }, field("Dataset", dataset), field("Base model", model), field("Trainer", trainer)),
    h("div", { class: "row" }, field("Name", name, "Defaults to the dataset's name."), field("Trigger word", trigger, "Defaults to the dataset's.")),
    h("fieldset", {}, h("legend", {}, "Parameters"), paramRow),
    errors.el,
    h("button", { type: "submit", class: "primary" }, "Start training"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    errors.clear();
    const body = {
      dataset_id: dataset.value,
      base_model_id: model.value,
      trainer: trainer.value,
      name: name.value || null,
      trigger_word: trigger.value || null,
      params: Object.fromEntries(paramFields.map((p) => [p.name, p.value()])),
    };
    try {
      const training = await api.post("/v1/trainings", body, { "Idempotency-Key": idempotencyKey() });
      announce(`Training ${training.name} queued.`);
      navigate(`train/${training.id}`);
    } catch (error) {
      errors.show(error);
    }
  });
  return form;
}

/** Inputs for a flat JSON schema of numbers, integers and booleans (defaults, bounds, descriptions). */
export function schemaFields(schema) {
  const props = (schema && schema.properties) || {};
  return Object.entries(props).map(([name, prop]) => {
    const label = prop.title || name;
    if (prop.type === "boolean") {
      const box = h("input", { type: "checkbox", name, checked: Boolean(prop.default) });
      const el = h("div", { class: "field check" }, h("label", {}, box, ` ${label}`), prop.description ? h("small", { class: "hint" }, prop.description) : null);
      return { name, el, value: () => box.checked };
    }
    const integer = prop.type === "integer";
    const input = h("input", {
      type: "number",
      name,
      required: true,
      value: prop.default ?? "",
      min: prop.minimum ?? null,
      max: prop.maximum ?? null,
      step: integer ? 1 : "any",
    });
    return { name, el: field(label, input, prop.description || null), value: () => (integer ? parseInt(input.value, 10) : parseFloat(input.value)) };
  });
}

function recentList(trainings) {
  if (!trainings.length) return h("p", {}, "No trainings yet.");
  return h(
    "ul",
    { class: "plain" },
    trainings.map((t) =>
      h("li", { "data-training-id": t.id }, h("a", { href: `#/train/${t.id}` }, t.name), h("span", { class: "summary" }, summary(t))),
    ),
  );
}

function summary(training) {
  return ` — ${training.status} (${percent(training.progress)}), ${formatTime(training.created_at)}`;
}

/** The live view of one training; returns the function that stops its stream. */
async function trainingPanel(panel, trainingId) {
  const training = await api.get(`/v1/trainings/${encodeURIComponent(trainingId)}`);
  const errors = errorBox();
  const status = h("span", { "data-role": "status" });
  const stage = h("span", { "data-role": "stage" });
  const bar = h("progress", { id: "training-progress", max: 1, value: 0 });
  const label = h("span", { "data-role": "percent" });
  const log = h("ol", { class: "log", role: "log", "aria-label": "Training log" });
  const result = h("p", { "data-role": "result" });
  const cancel = h("button", { type: "button", class: "danger" }, "Cancel training");
  const section = h(
    "section",
    { class: "card job", "data-training-id": training.id, "aria-labelledby": "training-title" },
    h("h2", { id: "training-title" }, `Training “${training.name}”`),
    h("p", {}, "Status: ", status, " · Stage: ", stage),
    h("div", { class: "bar" }, h("label", { for: "training-progress" }, "Progress"), bar, label),
    result,
    errors.el,
    cancel,
    h("h3", {}, "Log"),
    log,
  );
  replace(panel, section);

  let lastStatus = null;
  function show(job) {
    bar.value = job.progress;
    bar.setAttribute("aria-valuetext", percent(job.progress));
    label.textContent = percent(job.progress);
    status.textContent = job.status;
    stage.textContent = job.stage || "—";
    section.dataset.status = job.status;
    cancel.hidden = isTerminal(job.status);
    const listed = document.querySelector(`li[data-training-id="${job.id}"] .summary`);
    if (listed) listed.textContent = summary(job);
    if (job.status !== lastStatus) {
      lastStatus = job.status;
      announce(`Training ${job.status}.`);
    }
    if (job.status === "succeeded" && job.model_id) {
      replace(result, "Model ready: ", h("a", { href: `#/generate/${job.model_id}` }, "generate with it"), ".");
    } else if (job.error) {
      replace(result, `${job.error.code}: ${job.error.message}`);
    }
  }
  show(training);

  cancel.addEventListener("click", async () => {
    errors.clear();
    try {
      show(await api.post(`/v1/trainings/${training.id}/cancel`));
    } catch (error) {
      errors.show(error);
    }
  });

  const stream = follow({
    path: `/v1/trainings/${training.id}/stream`,
    jobId: training.id,
    kinds: ["training"],
    onEvent(event) {
      section.dataset.lastEventId = String(event.id);
      if (event.data && event.data.job) show(event.data.job);
      if (event.data && event.data.message) {
        log.append(h("li", {}, h("time", { datetime: event.created_at }, new Date(event.created_at).toLocaleTimeString()), " ", event.data.message));
        log.scrollTop = log.scrollHeight;
      }
    },
    onState(state) {
      section.dataset.stream = state;
    },
  });
  return stream.stop;
}
