// Generate: an image model (base or your trained LoRAs), extra LoRAs (≤ 3 in all), a mode (text to image,
// image to image, inpainting with an init image and a mask picked or uploaded), prompt, size, count and
// seed; live status over SSE; a gallery of thumbnails with a full view, downloads, "add to a dataset" and
// "make a video".

import { api, componentSchema, operations } from "../lib/api.js";
import { announce, errorBox, field, formatTime, fillSelect, h, idempotencyKey, replace, select } from "../lib/dom.js";
import { imagePicker } from "../lib/picker.js";
import { follow, isTerminal } from "../lib/stream.js";

const MAX_LORAS = 3;
const MODES = [
  { value: "text_to_image", label: "Text to image" },
  { value: "image_to_image", label: "Image to image" },
  { value: "inpainting", label: "Inpainting (image + mask)" },
];

const FALLBACK_SIZES = ["square_hd", "square", "portrait_4_3", "portrait_16_9", "landscape_4_3", "landscape_16_9"];

export default async function generatePage(root, { params }) {
  const [models, createSchema, recent, datasets, ops] = await Promise.all([
    api.all("/v1/models", { category: "image" }),
    componentSchema("GenerationCreate"),
    api.get("/v1/generations", { limit: 20 }),
    api.all("/v1/datasets"),
    operations(),
  ]);
  const extras = { datasets, canAdd: ops.has("images-from-generation"), canVideo: ops.has("videos-create") };
  const errors = errorBox();
  const model = select(
    { name: "model_id", required: true },
    [
      { group: "Your models", options: models.filter((m) => m.type !== "base").map((m) => ({ value: m.id, label: m.name })) },
      { group: "Base models", options: models.filter((m) => m.type === "base").map((m) => ({ value: m.id, label: m.name })) },
    ],
    params[0] || null,
  );
  const trained = models.filter((m) => m.type !== "base");
  const loraBoxes = trained.map((m) => h("input", { type: "checkbox", name: "loras", value: m.id }));
  const loraHint = h("small", { class: "hint", id: "lora-hint" }, `Up to ${MAX_LORAS} LoRAs in all, counting the model when it is one; all of one base model.`);
  const loras = h(
    "fieldset",
    { class: "loras", "aria-describedby": "lora-hint", hidden: !trained.length },
    h("legend", {}, "Extra LoRAs"),
    loraHint,
    trained.map((m, i) => h("label", { class: "check" }, loraBoxes[i], ` ${m.name}${m.trigger_word ? ` (${m.trigger_word})` : ""}`)),
  );
  function limitLoras() {
    const own = trained.some((m) => m.id === model.value) ? 1 : 0;
    const picked = loraBoxes.filter((b) => b.checked && b.value !== model.value).length;
    for (const b of loraBoxes) b.disabled = b.value === model.value || (!b.checked && picked + own >= MAX_LORAS);
  }
  for (const b of loraBoxes) b.addEventListener("change", limitLoras);
  model.addEventListener("change", limitLoras);
  limitLoras();
  const mode = select({ name: "mode" }, MODES, "text_to_image");
  // Only the modes the chosen model has (GET /v1/models → modes; a trained LoRA has its base model's).
  function modesOf() {
    const chosen = models.find((m) => m.id === model.value);
    const names = new Set(((chosen && chosen.modes) || []).map((m) => m.name));
    const offered = MODES.filter((m) => names.has(m.value));
    const keep = offered.some((m) => m.value === mode.value) ? mode.value : "text_to_image";
    fillSelect(mode, offered.length ? offered : MODES.slice(0, 1), keep);
    showMode();
  }
  const initImage = imagePicker({ label: "Init image", name: "gen-image" });
  const mask = imagePicker({ label: "Mask", name: "gen-mask", hint: "Same size as the init image; white is repainted." });
  const strength = h("input", { type: "number", name: "strength", min: 0.01, max: 1, step: 0.01, value: 0.85 });
  const strengthField = field("Strength", strength, "How much to change the init image (1: repaint it entirely).");
  function showMode() {
    initImage.el.hidden = mode.value === "text_to_image";
    strengthField.hidden = mode.value === "text_to_image";
    mask.el.hidden = mode.value !== "inpainting";
  }
  mode.addEventListener("change", showMode);
  model.addEventListener("change", modesOf);
  modesOf();
  const prompt = h("textarea", { name: "prompt", required: true, rows: 3, maxlength: 2000 });
  const sizeProp = createSchema && createSchema.properties && createSchema.properties.image_size;
  const presets = (sizeProp && (sizeProp.anyOf || []).find((s) => s.enum)?.enum) || FALLBACK_SIZES;
  const size = select({ name: "image_size" }, presets, (sizeProp && sizeProp.default) || presets[0]);
  const count = h("input", { type: "number", name: "num_images", min: 1, max: 4, value: 1, required: true });
  const seed = h("input", { type: "number", name: "seed", min: 0, max: 4294967295, step: 1 });
  const status = h("p", { class: "status", "data-role": "generation-status", role: "status" });
  const gallery = h("ul", { class: "gallery", "aria-label": "Generated images" });
  const viewer = fullView();
  let stream = null;

  const form = h(
    "form",
    { class: "card", "aria-labelledby": "new-generation" },
    h("h2", { id: "new-generation" }, "New generation"),
    field("Model", model),
    loras,
    field("Mode", mode),
    initImage.el,
    mask.el,
    strengthField,
    field("Prompt", prompt, "For a trained model, its trigger word is added when the prompt lacks it."),
    h("div", { class: "row" }, field("Size", size), field("Number of images", count), field("Seed", seed, "Empty: random.")),
    errors.el,
    h("button", { type: "submit", class: "primary" }, "Generate"),
    status,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    errors.clear();
    const body = { model_id: model.value, prompt: prompt.value, mode: mode.value, num_images: parseInt(count.value, 10) };
    if (seed.value !== "") body.seed = parseInt(seed.value, 10);
    const extra = loraBoxes.filter((b) => b.checked && !b.disabled).map((b) => ({ model_id: b.value }));
    if (extra.length) body.loras = extra;
    if (mode.value === "text_to_image") {
      body.image_size = size.value; // otherwise the output takes the init image's size
    } else {
      body.image = initImage.ref();
      body.strength = parseFloat(strength.value);
      if (mode.value === "inpainting") body.mask = mask.ref();
      const missing = !body.image ? "an init image" : mode.value === "inpainting" && !body.mask ? "a mask" : null;
      if (missing) {
        errors.show({ detail: `Choose ${missing} for ${mode.value.replaceAll("_", " ")}.` });
        return;
      }
    }
    let generation;
    try {
      generation = await api.post("/v1/generations", body, { "Idempotency-Key": idempotencyKey() });
    } catch (error) {
      errors.show(error);
      return;
    }
    if (stream) stream.stop();
    showStatus(status, generation);
    stream = follow({
      path: `/v1/generations/${generation.id}/stream`,
      jobId: generation.id,
      kinds: ["generation"],
      async onEvent(ev) {
        const job = ev.data.job;
        showStatus(status, job);
        if (isTerminal(job.status)) {
          announce(`Generation ${job.status}.`);
          if (job.status === "succeeded") {
            // Fresh signed URLs: the event's were made when it was written.
            const fresh = await api.get(`/v1/generations/${job.id}`);
            gallery.prepend(...galleryItems(fresh, viewer, extras));
          }
        }
      },
    });
  });

  replace(
    root,
    h("h1", {}, "Generate"),
    form,
    h("h2", {}, "Gallery"),
    gallery,
    viewer.el,
  );
  for (const g of recent.data) if (g.status === "succeeded") gallery.append(...galleryItems(g, viewer, extras));
  await Promise.all([initImage.ready, mask.ready]);
  return () => stream && stream.stop();
}

function showStatus(el, job) {
  el.dataset.status = job.status;
  el.dataset.generationId = job.id;
  const error = job.error ? ` — ${job.error.message}` : "";
  el.textContent = `Generation ${job.status}${error}`;
}

function galleryItems(generation, viewer, extras) {
  return generation.images.map((image, n) => {
    const alt = `${generation.prompt} (${n + 1} of ${generation.images.length})`;
    const open = h(
      "button",
      { type: "button", class: "thumb", "aria-label": `View ${alt}` },
      h("img", { src: image.thumbnail_url, alt, loading: "lazy" }),
    );
    open.addEventListener("click", () => viewer.show(generation, image, alt));
    return h(
      "li",
      { "data-generation-id": generation.id, "data-image-id": image.id },
      open,
      h("small", {}, `${image.width}×${image.height} · ${formatTime(generation.created_at)}`),
      extras.canAdd && extras.datasets.length ? addToDataset(generation, image, n, extras.datasets) : null,
      extras.canVideo ? h("a", { href: `#/videos/${image.id}`, class: "small" }, "Make a video") : null,
    );
  });
}

function downloadName(generation, image) {
  const ext = (image.content_type || "image/jpeg").split("/")[1].replace("jpeg", "jpg");
  return `${generation.id}-${image.id}.${ext}`;
}

/** A modal <dialog> (focus trapped, Esc closes) with the full-size image and its download link. */
function fullView() {
  const img = h("img", { alt: "" });
  const download = h("a", { class: "button primary", "data-role": "download" }, "Download");
  const caption = h("p", {});
  const close = h("button", { type: "button" }, "Close");
  const dialog = h("dialog", { class: "viewer", "aria-label": "Full-size image" }, img, caption, h("div", { class: "actions" }, download, close));
  close.addEventListener("click", () => dialog.close());
  return {
    el: dialog,
    show(generation, image, alt) {
      img.src = image.url;
      img.alt = alt;
      caption.textContent = `${image.width}×${image.height}, seed ${generation.seed ?? "?"}`;
      download.href = image.url;
      download.setAttribute("download", downloadName(generation, image));
      dialog.showModal();
    },
  };
}

/** "Add to a dataset": the image is copied server-side (POST …/images/from-generation); refusals show why. */
function addToDataset(generation, image, n, datasets) {
  const target = select(
    { name: "dataset", "aria-label": `Dataset for image ${n + 1} of ${generation.id}` },
    datasets.map((d) => ({ value: d.id, label: d.name })),
  );
  const add = h("button", { type: "submit" }, "Add to dataset");
  const outcome = h("small", { role: "status", "data-role": "add-outcome" });
  const form = h("form", { class: "add-to-dataset" }, target, add, outcome);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    add.disabled = true;
    try {
      const result = await api.post(`/v1/datasets/${target.value}/images/from-generation`, { generation_id: generation.id, image_ids: [image.id] });
      const name = target.selectedOptions[0].textContent;
      outcome.dataset.outcome = result.images.length ? "accepted" : "rejected";
      outcome.textContent = result.images.length ? `Added to ${name}.` : `Not added: ${result.rejected.map((r) => r.detail).join("; ")}`;
      announce(outcome.textContent);
    } catch (error) {
      outcome.dataset.outcome = "rejected";
      const why = error.errors.map((e) => e.detail).filter(Boolean).join("; ");
      outcome.textContent = `Not added: ${why || error.detail}`;
    } finally {
      add.disabled = false;
    }
  });
  return form;
}
