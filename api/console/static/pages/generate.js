// Generate: an image model (base or your trained LoRAs), prompt, size, count and seed; live status over
// SSE; a gallery of thumbnails with a full view and downloads.

import { api, componentSchema } from "../lib/api.js";
import { announce, errorBox, field, formatTime, h, idempotencyKey, replace, select } from "../lib/dom.js";
import { follow, isTerminal } from "../lib/stream.js";

const FALLBACK_SIZES = ["square_hd", "square", "portrait_4_3", "portrait_16_9", "landscape_4_3", "landscape_16_9"];

export default async function generatePage(root, { params }) {
  const [models, createSchema, recent] = await Promise.all([
    api.all("/v1/models", { category: "image" }),
    componentSchema("GenerationCreate"),
    api.get("/v1/generations", { limit: 20 }),
  ]);
  const errors = errorBox();
  const model = select(
    { name: "model_id", required: true },
    [
      { group: "Your models", options: models.filter((m) => m.type !== "base").map((m) => ({ value: m.id, label: m.name })) },
      { group: "Base models", options: models.filter((m) => m.type === "base").map((m) => ({ value: m.id, label: m.name })) },
    ],
    params[0] || null,
  );
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
    field("Prompt", prompt, "For a trained model, its trigger word is added when the prompt lacks it."),
    h("div", { class: "row" }, field("Size", size), field("Number of images", count), field("Seed", seed, "Empty: random.")),
    errors.el,
    h("button", { type: "submit", class: "primary" }, "Generate"),
    status,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    errors.clear();
    const body = { model_id: model.value, prompt: prompt.value, image_size: size.value, num_images: parseInt(count.value, 10) };
    if (seed.value !== "") body.seed = parseInt(seed.value, 10);
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
            gallery.prepend(...galleryItems(fresh, viewer));
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
  for (const g of recent.data) if (g.status === "succeeded") gallery.append(...galleryItems(g, viewer));
  return () => stream && stream.stop();
}

function showStatus(el, job) {
  el.dataset.status = job.status;
  el.dataset.generationId = job.id;
  const error = job.error ? ` — ${job.error.message}` : "";
  el.textContent = `Generation ${job.status}${error}`;
}

function galleryItems(generation, viewer) {
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
