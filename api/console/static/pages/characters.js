// Characters (seed 001): a profile → reference candidates ("try again" = another batch with new seeds) →
// pick one → train (the service first makes image-to-image variations when the dataset is small) → scenes.
// Generations are followed over their own streams; the character's status over the character's stream,
// which stays open while the page is shown (a character lives on after a training).

import { api } from "../lib/api.js";
import { announce, errorBox, field, formatTime, h, replace } from "../lib/dom.js";
import { follow, watchJob } from "../lib/stream.js";

const STEPS = {
  draft: "Draft: make reference candidates and pick one.",
  referenced: "Reference picked: train the character (or make scenes with the reference's seed).",
  training: "Training: variations of the reference, then a LoRA.",
  trained: "Trained: scenes use the character's LoRA.",
  failed: "The last training failed.",
};

export default async function charactersPage(root, { params, navigate }) {
  if (params[0]) return characterView(root, params[0]);
  const list = await api.get("/v1/characters", { limit: 50 });
  const errors = errorBox();
  const name = h("input", { name: "name", required: true, maxlength: 100, autocomplete: "off" });
  const description = h("textarea", { name: "description", required: true, rows: 3, maxlength: 1000 });
  const style = h("input", { name: "art_style", maxlength: 200 });
  const modifiers = h("input", { name: "style_modifiers", placeholder: "comma separated" });
  const form = h(
    "form",
    { class: "card", "aria-labelledby": "new-character" },
    h("h2", { id: "new-character" }, "New character"),
    field("Name", name),
    field("Description", description, "What the character looks like; it goes into every prompt."),
    field("Art style", style),
    field("Style modifiers", modifiers, "Comma separated, e.g. dramatic lighting, soft focus."),
    errors.el,
    h("button", { type: "submit", class: "primary" }, "Create character"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    errors.clear();
    const body = { name: name.value, description: description.value };
    if (style.value.trim()) body.art_style = style.value;
    const mods = modifiers.value.split(",").map((m) => m.trim()).filter(Boolean);
    if (mods.length) body.style_modifiers = mods;
    try {
      const created = await api.post("/v1/characters", body);
      announce(`Character ${created.name} created.`);
      navigate(`characters/${created.id}`);
    } catch (error) {
      errors.show(error);
    }
  });
  const items = list.data.map((c) =>
    h(
      "li",
      { "data-character-id": c.id, "data-status": c.status },
      c.reference ? h("img", { src: c.reference.thumbnail_url, alt: "", width: 48, height: 48 }) : null,
      h("a", { href: `#/characters/${c.id}` }, c.name),
      ` · ${c.status}`,
    ),
  );
  replace(
    root,
    h("h1", {}, "Characters"),
    form,
    h("h2", {}, "Your characters"),
    items.length ? h("ul", { class: "characters" }, items) : h("p", { class: "hint" }, "None yet."),
  );
  return undefined;
}

async function characterView(root, id) {
  const [character, history] = await Promise.all([
    api.get(`/v1/characters/${id}`),
    api.get("/v1/generations", { character_id: id, limit: 50 }),
  ]);
  const watches = new Set();
  const errors = errorBox();
  const heading = h("h1", {}, character.name);
  const status = h("p", { class: "status", role: "status", "data-role": "character-status" });
  const profile = h("p", { class: "hint" });
  const reference = h("figure", { class: "reference", hidden: true });
  const bar = h("progress", { max: 1, value: 0, "aria-label": "Training progress", hidden: true });
  const log = h("ol", { class: "log", "aria-label": "Character events" });
  const candidates = h("ul", { class: "gallery", "aria-label": "Reference candidates" });
  const scenes = h("ul", { class: "gallery", "aria-label": "Scenes" });
  const referencesButton = h("button", { type: "button", class: "primary" }, "Generate references");
  const howMany = h("input", { type: "number", name: "num_images", min: 1, max: 4, value: 4, required: true });
  const trainButton = h("button", { type: "button" }, "Train");
  const genStatus = h("p", { class: "status", "data-role": "generation-status", role: "status" });
  const scene = h("input", { name: "scene", required: true, maxlength: 2000, autocomplete: "off" });
  const sceneButton = h("button", { type: "submit", class: "primary" }, "Make scene");
  const sceneForm = h(
    "form",
    { class: "card", "aria-labelledby": "scene-title" },
    h("h2", { id: "scene-title" }, "Scenes"),
    field("Scene", scene, "Where the character is and what it does; the profile is added to the prompt."),
    sceneButton,
  );

  function show(c) {
    status.dataset.status = c.status;
    status.textContent = STEPS[c.status] || c.status;
    if (c.error) status.textContent += ` ${c.error.message || ""}`;
    profile.textContent = [c.description, c.art_style, ...(c.style_modifiers || [])].filter(Boolean).join(" · ") + ` — trigger word ${c.trigger_word}`;
    referencesButton.textContent = candidates.children.length ? "Try again" : "Generate references";
    trainButton.disabled = c.status === "draft" || c.status === "training";
    bar.hidden = c.status !== "training";
    if (c.status === "trained") bar.value = 1;
    if (c.reference) {
      replace(
        reference,
        h("img", { src: c.reference.thumbnail_url, alt: `${c.name}'s reference picture` }),
        h("figcaption", {}, `Reference (seed ${c.reference.seed ?? "?"})`),
      );
      reference.hidden = false;
    }
  }

  async function act(button, call) {
    errors.clear();
    button.disabled = true;
    try {
      return await call();
    } catch (error) {
      errors.show(error);
      return null;
    } finally {
      button.disabled = false;
    }
  }

  // Run a generation to its end, then put its images in `into` (pickable ones get a "Use" button).
  async function generation(gen, into, pickable) {
    genStatus.dataset.status = gen.status;
    genStatus.textContent = `Generation ${gen.status}…`;
    const watch = watchJob({
      kind: "generation",
      job: gen,
      onJob: (job) => {
        genStatus.dataset.status = job.status;
        genStatus.textContent = `Generation ${job.status}…`;
      },
    });
    watches.add(watch);
    const done = await watch.done;
    watches.delete(watch);
    genStatus.dataset.status = done.status;
    genStatus.textContent = `Generation ${done.status}${done.error ? ` — ${done.error.message}` : ""}.`;
    into.prepend(...done.images.map((image, n) => picture(done, image, n, pickable)));
    announce(`Generation ${done.status}: ${done.images.length} picture(s).`);
    return done;
  }

  function picture(gen, image, n, pickable) {
    const alt = `${pickable ? "Candidate" : "Scene"} ${n + 1}: ${gen.prompt}`;
    const item = h(
      "li",
      { "data-generation-id": gen.id, "data-image-id": image.id },
      h("a", { href: image.url, target: "_blank", rel: "noopener", "aria-label": `Full size: ${alt}` }, h("img", { src: image.thumbnail_url, alt, loading: "lazy" })),
    );
    if (pickable) {
      const pick = h("button", { type: "button", "aria-label": `Use candidate ${n + 1} as the reference` }, "Use as reference");
      pick.addEventListener("click", async () => {
        const picked = await act(pick, () => api.post(`/v1/characters/${id}/reference`, { generation_id: gen.id, image_id: image.id }));
        if (!picked) return;
        for (const li of candidates.querySelectorAll("li")) li.classList.toggle("chosen", li === item);
        show(picked);
        announce("Reference saved.");
      });
      item.append(pick);
    } else {
      item.append(h("small", {}, formatTime(gen.created_at)));
    }
    return item;
  }

  referencesButton.addEventListener("click", () =>
    act(referencesButton, async () => {
      const gen = await api.post(`/v1/characters/${id}/references`, { num_images: Math.min(4, Math.max(1, parseInt(howMany.value, 10) || 4)) });
      await generation(gen, candidates, true);
      referencesButton.textContent = "Try again";
    }),
  );
  trainButton.addEventListener("click", () =>
    act(trainButton, async () => {
      const training = await api.post(`/v1/characters/${id}/train`, {});
      bar.value = 0;
      show(await api.get(`/v1/characters/${id}`));
      log.prepend(h("li", {}, `Training ${training.id} created.`));
    }),
  );
  sceneForm.addEventListener("submit", (event) => {
    event.preventDefault();
    act(sceneButton, async () => {
      const gen = await api.post(`/v1/characters/${id}/scenes`, { scene: scene.value });
      await generation(gen, scenes, false);
    });
  });

  const stream = follow({
    path: `/v1/characters/${id}/stream`,
    characterId: id, // a token for this character only, valid from its profile's creation on
    kinds: ["character"],
    async onEvent(event) {
      const what = event.type.split(".").pop();
      const job = event.data && event.data.job;
      if (job && typeof job.progress === "number") bar.value = job.progress;
      if (event.data && typeof event.data.progress === "number") bar.value = event.data.progress;
      const message = (event.data && event.data.message) || "";
      log.prepend(h("li", { "data-event": event.type }, `${formatTime(event.created_at)} · ${what}${message ? `: ${message}` : ""}`));
      try {
        show(await api.get(`/v1/characters/${id}`));
      } catch (error) {
        errors.show(error);
      }
      if (what === "trained") announce("The character is trained.");
      if (what === "failed") announce("The character's training failed.");
    },
  });

  // What this character already has: while it is a draft every generation is a candidate; after that,
  // the text-to-image generations newer than the picked reference's are its scenes (variations are
  // image-to-image).
  const done = history.data.filter((g) => g.status === "succeeded");
  if (character.status === "draft") {
    for (const g of done) candidates.append(...g.images.map((img, n) => picture(g, img, n, true)));
  } else {
    const refGen = character.reference && character.reference.generation_id;
    const cut = done.findIndex((g) => g.id === refGen);
    const newer = cut < 0 ? [] : done.slice(0, cut);
    for (const g of newer.filter((g) => g.params.mode === "text_to_image")) scenes.append(...g.images.map((img, n) => picture(g, img, n, false)));
  }
  show(character);

  replace(
    root,
    h("p", {}, h("a", { href: "#/characters" }, "← All characters")),
    heading,
    profile,
    status,
    errors.el,
    h(
      "section",
      { class: "card", "aria-labelledby": "ref-title" },
      h("h2", { id: "ref-title" }, "Reference"),
      reference,
      h("div", { class: "row" }, field("Candidates per batch", howMany), h("div", { class: "actions" }, referencesButton)),
      genStatus,
      candidates,
    ),
    h("section", { class: "card", "aria-labelledby": "train-title" }, h("h2", { id: "train-title" }, "Training"), h("div", { class: "actions" }, trainButton), bar, log),
    sceneForm,
    scenes,
  );
  return () => {
    stream.stop();
    for (const w of watches) w.stop();
  };
}
