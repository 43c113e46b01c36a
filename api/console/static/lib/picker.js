// An image picker that answers an image reference (`{upload_id}`, `{generation_image_id}` or
// `{dataset_image_id}`): upload a file (POST /v1/uploads, kept 24 h unless a job uses it), or choose one of
// your generated images or a dataset's images. Each choice is a radio button whose label is the thumbnail,
// so the keyboard and screen readers can pick as well as the mouse.

import { api, upload } from "./api.js";
import { field, h, newId, replace, select } from "./dom.js";

const SOURCES = [
  { value: "generation", label: "A generated image" },
  { value: "upload", label: "Upload a file" },
  { value: "dataset", label: "A dataset image" },
];

/**
 * `label`: the fieldset's legend. `selected`: a generation image id to preselect. `name`: a unique
 * radio group name. Returns `{el, ref(), onChange(fn)}`; `ref()` is null until something is chosen.
 */
export function imagePicker({ label, name, selected = null, hint = null }) {
  let current = null;
  let listeners = [];
  const status = h("p", { class: "hint", role: "status" });
  const choices = h("ul", { class: "picker-choices" });
  const body = h("div", {});
  const source = select({ name: `${name}-source` }, SOURCES, "generation");
  const el = h(
    "fieldset",
    { class: "picker", "data-picker": name },
    h("legend", {}, label),
    hint ? h("p", { class: "hint" }, hint) : null,
    field("Source", source),
    body,
    status,
  );

  function set(ref, text) {
    current = ref;
    el.dataset.ref = ref ? Object.values(ref)[0] : "";
    status.textContent = text || "";
    for (const fn of listeners) fn(ref);
  }

  function radios(items) {
    // items: [{id, ref, thumb, alt}]
    replace(
      choices,
      items.map((item) => {
        const id = newId("pick");
        const input = h("input", { type: "radio", name, id, value: item.id, class: "visually-hidden", checked: item.id === current?.[Object.keys(item.ref)[0]] });
        input.addEventListener("change", () => set(item.ref, `Chosen: ${item.alt}`));
        return h("li", {}, input, h("label", { for: id, title: item.alt }, h("img", { src: item.thumb, alt: item.alt, loading: "lazy" })));
      }),
    );
    if (!items.length) replace(choices, h("li", { class: "hint" }, "Nothing to choose from yet."));
  }

  async function showGenerations() {
    const page = await api.get("/v1/generations", { status: "succeeded", limit: 20 });
    const items = page.data.flatMap((g) =>
      g.images.map((img, n) => ({ id: img.id, ref: { generation_image_id: img.id }, thumb: img.thumbnail_url, alt: `${g.prompt} (${n + 1})` })),
    );
    replace(body, choices);
    radios(items);
    const preset = selected && items.find((i) => i.id === selected);
    if (preset) {
      set(preset.ref, `Chosen: ${preset.alt}`);
      const input = choices.querySelector(`input[value="${preset.id}"]`);
      if (input) input.checked = true;
    }
  }

  async function showDatasets() {
    const datasets = await api.all("/v1/datasets");
    const pick = select({ name: `${name}-dataset` }, [{ value: "", label: "Choose a dataset" }, ...datasets.map((d) => ({ value: d.id, label: d.name }))]);
    pick.addEventListener("change", async () => {
      if (!pick.value) return radios([]);
      const images = await api.all(`/v1/datasets/${pick.value}/images`);
      radios(images.map((img) => ({ id: img.id, ref: { dataset_image_id: img.id }, thumb: img.thumbnail_url || img.url, alt: img.filename || img.id })));
    });
    replace(body, field("Dataset", pick), choices);
    replace(choices);
  }

  function showUpload() {
    const input = h("input", { type: "file", accept: "image/jpeg,image/png,image/webp", name: `${name}-file` });
    const preview = h("img", { alt: "", hidden: true, class: "preview" });
    input.addEventListener("change", async () => {
      const file = input.files && input.files[0];
      if (!file) return;
      set(null, `Uploading ${file.name}…`);
      const form = new FormData();
      form.append("file", file);
      try {
        const up = await upload("/v1/uploads", form);
        preview.src = URL.createObjectURL(file);
        preview.alt = file.name;
        preview.hidden = false;
        set({ upload_id: up.id }, `Uploaded ${file.name} (${up.width}×${up.height}).`);
      } catch (error) {
        set(null, `Upload refused: ${error.detail}${error.errors.length ? ` (${error.errors.map((e) => e.detail || e.code).join("; ")})` : ""}`);
      }
    });
    replace(body, field(`${label}: file`, input), preview);
  }

  async function show() {
    set(null, "");
    try {
      if (source.value === "upload") showUpload();
      else if (source.value === "dataset") await showDatasets();
      else await showGenerations();
    } catch (error) {
      status.textContent = error.detail || String(error);
    }
  }
  source.addEventListener("change", show);

  return {
    el,
    ready: show(),
    ref: () => current,
    onChange(fn) {
      listeners.push(fn);
    },
  };
}
