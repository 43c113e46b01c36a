// Characters (seed 001): a profile, reference candidates ("try again" = another batch), pick one, train
// (variations are made when the dataset is small), then scenes. Status is polled; the character's events
// also reach the Events page.

import { api } from "../lib/api.js";
import { announce, errorBox, field, h, replace } from "../lib/dom.js";

const POLL_MS = 1000;

export default async function charactersPage(root, { params, navigate }) {
  if (params[0]) return characterView(root, params[0], navigate);
  const list = await api.get("/v1/characters", { limit: 50 });
  const errors = errorBox();
  const name = h("input", { name: "name", required: true, maxlength: 100 });
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
    field("Style modifiers", modifiers),
    errors.el,
    h("button", { type: "submit", class: "primary" }, "Create"),
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
      navigate(`characters/${created.id}`);
    } catch (error) {
      errors.show(error);
    }
  });
  const items = list.data.map((c) =>
    h("li", { "data-character-id": c.id }, h("a", { href: `#/characters/${c.id}` }, c.name), ` — ${c.status}`),
  );
  replace(root, h("h1", {}, "Characters"), form, h("h2", {}, "Your characters"), h("ul", {}, ...items));
  return undefined;
}

async function characterView(root, id, navigate) {
  let timer = null;
  const errors = errorBox();
  const status = h("p", { class: "status", role: "status", "data-role": "character-status" });
  const candidates = h("ul", { class: "gallery", "aria-label": "Reference candidates" });
  const scenes = h("ul", { class: "gallery", "aria-label": "Scenes" });
  const scene = h("input", { name: "scene", required: true, maxlength: 2000 });

  async function refresh() {
    const c = await api.get(`/v1/characters/${id}`);
    status.dataset.status = c.status;
    status.textContent = `${c.name}: ${c.status}${c.error ? ` — ${c.error.message}` : ""}`;
    return c;
  }
  async function waitGeneration(gen, into, pickable) {
    while (!["succeeded", "failed", "canceled"].includes(gen.status)) {
      await new Promise((r) => { timer = setTimeout(r, POLL_MS); });
      gen = await api.get(`/v1/generations/${gen.id}`);
    }
    for (const image of gen.images) {
      const item = h("li", { "data-image-id": image.id }, h("img", { src: image.thumbnail_url, alt: gen.prompt }));
      if (pickable) {
        const pick = h("button", { type: "button" }, "Use as reference");
        pick.addEventListener("click", () => act(() => api.post(`/v1/characters/${id}/reference`, { generation_id: gen.id, image_id: image.id })));
        item.append(pick);
      }
      into.append(item);
    }
    announce(`Generation ${gen.status}.`);
  }
  async function act(call) {
    errors.clear();
    try {
      const out = await call();
      await refresh();
      return out;
    } catch (error) {
      errors.show(error);
      return null;
    }
  }
  const references = h("button", { type: "button", class: "primary" }, "Generate references");
  references.addEventListener("click", async () => {
    const gen = await act(() => api.post(`/v1/characters/${id}/references`, { num_images: 4 }));
    if (gen) await waitGeneration(gen, candidates, true);
  });
  const train = h("button", { type: "button" }, "Train");
  train.addEventListener("click", async () => {
    if (!(await act(() => api.post(`/v1/characters/${id}/train`, {})))) return;
    let c = await refresh();
    while (c.status === "training") {
      await new Promise((r) => { timer = setTimeout(r, POLL_MS); });
      c = await refresh();
    }
    announce(`Training ${c.status}.`);
  });
  const sceneForm = h("form", { class: "card" }, field("Scene", scene), h("button", { type: "submit", class: "primary" }, "Make scene"));
  sceneForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const gen = await act(() => api.post(`/v1/characters/${id}/scenes`, { scene: scene.value }));
    if (gen) await waitGeneration(gen, scenes, false);
  });
  const back = h("a", { href: "#/characters" }, "All characters");
  replace(root, h("h1", {}, "Character"), back, status, errors.el, references, candidates, train, sceneForm, scenes);
  await refresh();
  return () => timer && clearTimeout(timer);
}
