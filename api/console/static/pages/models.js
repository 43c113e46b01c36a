// Models: the base catalogue and your trained models, filtered by category; rename, delete, weights.

import { api } from "../lib/api.js";
import { announce, dataTable, errorBox, field, formatBytes, formatTime, h, replace, select } from "../lib/dom.js";

export default async function modelsPage(root) {
  const errors = errorBox();
  const category = select(
    { name: "category" },
    [
      { value: "", label: "All" },
      { value: "image", label: "Image" },
      { value: "3d", label: "3D" },
    ],
    "",
  );
  const table = dataTable(["Name", "Type", "Category", "Trigger word", "Weights", "Created", "Actions"]);

  async function load() {
    errors.clear();
    try {
      const models = await api.all("/v1/models", { category: category.value || null });
      table.set(models.map((m) => modelRow(m, errors, load)));
    } catch (error) {
      errors.show(error);
    }
  }
  category.addEventListener("change", load);

  replace(root, h("h1", {}, "Models"), h("div", { class: "row" }, field("Category", category)), errors.el, table.el);
  await load();
}

function modelRow(model, errors, reload) {
  const trained = model.type !== "base";
  let name = model.name;
  if (trained) {
    const input = h("input", { value: model.name, maxlength: 200, required: true, name: "name" });
    const rename = h("form", { class: "inline" }, field(`Name of ${model.name}`, input), h("button", { type: "submit" }, "Rename"));
    rename.addEventListener("submit", async (event) => {
      event.preventDefault();
      errors.clear();
      try {
        await api.patch(`/v1/models/${model.id}`, { name: input.value });
        announce(`Model renamed to ${input.value}.`);
      } catch (error) {
        errors.show(error);
      }
    });
    name = rename;
  }
  const weights = model.weights
    ? h("a", { href: model.weights.url, download: `${model.id}.safetensors` }, `Download (${formatBytes(model.weights.size_bytes)})`)
    : "—";
  const actions = [];
  if (model.category === "image") actions.push(h("a", { href: `#/generate/${model.id}` }, "Generate"));
  if (trained) {
    const remove = h("button", { type: "button", class: "link danger", "aria-label": `Delete ${model.name}` }, "Delete");
    remove.addEventListener("click", async () => {
      if (!window.confirm(`Delete model “${model.name}” and its weights?`)) return;
      errors.clear();
      try {
        await api.del(`/v1/models/${model.id}`);
        announce(`Model ${model.name} deleted.`);
        await reload();
      } catch (error) {
        errors.show(error);
      }
    });
    actions.push(" ", remove);
  }
  return h(
    "tr",
    { "data-model-id": model.id },
    h("td", {}, name, model.description ? h("small", { class: "hint" }, model.description) : null),
    h("td", {}, model.type),
    h("td", {}, model.category),
    h("td", {}, model.trigger_word || "—"),
    h("td", {}, weights),
    h("td", {}, formatTime(model.created_at)),
    h("td", {}, actions),
  );
}
