// 3D: a batch of up to 25 photos → one mesh each (face limit, texture, PBR, seed), per-file status live
// over SSE, and the .glb (and preview) downloads.

import { api, componentSchema, upload } from "../lib/api.js";
import { announce, dataTable, errorBox, field, formatBytes, formatTime, h, percent, replace, select } from "../lib/dom.js";
import { dropzone } from "../lib/dropzone.js";
import { follow, isTerminal } from "../lib/stream.js";

const MAX_FILES = 25;
const EXTENSIONS = { model_mesh: "glb", pbr_model: "pbr.glb", base_model: "base.glb", rendered_image: "png" };

export default async function meshesPage(root, { params, navigate }) {
  const [options, recent] = await Promise.all([componentSchema("MeshOptions"), api.get("/v1/meshes", { limit: 10 })]);
  const props = (options && options.properties) || {};
  const errors = errorBox();
  let chosen = [];
  const picked = h("p", { class: "hint", "data-role": "picked", "aria-live": "polite" }, "No photos chosen.");
  const zone = dropzone({
    label: "Choose photos",
    hint: `…or drop up to ${MAX_FILES} photos here. Each photo becomes one mesh.`,
    accept: "image/jpeg,image/png,image/webp",
    onFiles(files) {
      chosen = files;
      picked.textContent = `${files.length} photo(s) chosen: ${files.map((f) => f.name).join(", ")}`;
    },
  });
  const faces = props.face_limit || {};
  const faceLimit = h("input", { type: "number", name: "face_limit", value: faces.default ?? 10000, min: faces.minimum ?? null, max: faces.maximum ?? null, step: 1 });
  const textures = (props.texture && props.texture.enum) || ["no", "standard", "HD"];
  const texture = select({ name: "texture" }, textures, (props.texture && props.texture.default) || "standard");
  const pbr = h("input", { type: "checkbox", name: "pbr" });
  const seed = h("input", { type: "number", name: "seed", min: 0, step: 1 });
  const sendProgress = h("progress", { max: 1, value: 0, "aria-label": "Upload progress", hidden: true });
  const form = h(
    "form",
    { class: "card", "aria-labelledby": "new-mesh" },
    h("h2", { id: "new-mesh" }, "New 3D batch"),
    zone,
    picked,
    h(
      "div",
      { class: "row" },
      field("Face limit", faceLimit, faces.description || null),
      field("Texture", texture),
      field("Seed", seed, "Empty: random."),
      h("div", { class: "field check" }, h("label", {}, pbr, " PBR model too")),
    ),
    errors.el,
    h("button", { type: "submit", class: "primary" }, "Make meshes"),
    sendProgress,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    errors.clear();
    if (!chosen.length) return errors.show({ detail: "Choose at least one photo." });
    if (chosen.length > MAX_FILES) return errors.show({ detail: `At most ${MAX_FILES} photos a batch (${chosen.length} chosen).` });
    const data = new FormData();
    for (const file of chosen) data.append("files", file, file.name);
    data.append("face_limit", faceLimit.value);
    data.append("texture", texture.value);
    data.append("pbr", pbr.checked ? "true" : "false");
    if (seed.value !== "") data.append("seed", seed.value);
    sendProgress.hidden = false;
    try {
      const job = await upload("/v1/meshes", data, (f) => {
        sendProgress.value = f;
      });
      sessionStorage.setItem(`fotogen.rejected.${job.id}`, JSON.stringify(job.rejected || []));
      announce(`3D batch queued: ${job.item_count} photo(s).`);
      navigate(`meshes/${job.id}`);
    } catch (error) {
      errors.show(error);
    } finally {
      sendProgress.hidden = true;
    }
  });

  const panel = h("div", {});
  replace(root, h("h1", {}, "3D"), form, panel, h("h2", {}, "Recent batches"), recentList(recent.data));
  return params[0] ? meshPanel(panel, params[0]) : undefined;
}

function recentList(jobs) {
  if (!jobs.length) return h("p", {}, "No 3D batches yet.");
  return h(
    "ul",
    { class: "plain" },
    jobs.map((j) => h("li", { "data-mesh-id": j.id }, h("a", { href: `#/meshes/${j.id}` }, `${j.item_count} photo(s)`), h("span", { class: "summary" }, summary(j)))),
  );
}

function summary(job) {
  return ` — ${job.status}, ${formatTime(job.created_at)}`;
}

async function meshPanel(panel, meshId) {
  let job = await api.get(`/v1/meshes/${encodeURIComponent(meshId)}`);
  const rejected = JSON.parse(sessionStorage.getItem(`fotogen.rejected.${job.id}`) || "[]");
  const status = h("p", { role: "status", "data-role": "mesh-status" });
  const items = dataTable(["Photo", "Status", "Downloads"]);
  const section = h(
    "section",
    { class: "card job", "data-mesh-id": job.id, "aria-labelledby": "mesh-title" },
    h("h2", { id: "mesh-title" }, `3D batch ${job.id}`),
    status,
    items.el,
    rejected.length
      ? h("div", {}, h("h3", {}, "Refused photos"), h("ul", { class: "plain" }, rejected.map((r) => h("li", { "data-filename": r.filename }, `${r.filename}: ${r.detail}`))))
      : null,
  );
  replace(panel, section);

  function show(current) {
    section.dataset.status = current.status;
    status.textContent = `${current.status} · ${percent(current.progress)} of photos done`;
    const listed = document.querySelector(`li[data-mesh-id="${current.id}"] .summary`);
    if (listed) listed.textContent = summary(current);
    items.set(current.items.map((item) => itemRow(item)));
  }
  show(job);
  if (isTerminal(job.status)) return undefined;

  const stream = follow({
    path: `/v1/meshes/${job.id}/stream`,
    jobId: job.id,
    kinds: ["mesh"],
    async onEvent(event) {
      const current = event.data && event.data.job;
      if (!current) return;
      if (isTerminal(current.status)) {
        job = await api.get(`/v1/meshes/${job.id}`); // fresh signed download URLs
        show(job);
        announce(`3D batch ${job.status}.`);
      } else {
        show(current);
      }
    },
  });
  return stream.stop;
}

function itemRow(item) {
  const base = item.filename.replace(/\.[^.]+$/, "");
  const links = (item.files || []).map((f) =>
    h(
      "a",
      { href: f.url, download: `${base}.${EXTENSIONS[f.kind] || "bin"}`, "data-kind": f.kind, class: "download" },
      `${f.kind === "rendered_image" ? "preview" : `${base}.${EXTENSIONS[f.kind] || "bin"}`} (${formatBytes(f.size_bytes)})`,
    ),
  );
  const error = item.error ? h("small", { class: "hint" }, item.error.message) : null;
  const preview = (item.files || []).find((f) => f.kind === "rendered_image");
  return h(
    "tr",
    { "data-item-id": item.id, "data-status": item.status },
    h("td", {}, preview ? h("img", { class: "preview", src: preview.url, alt: `Preview of the mesh of ${item.filename}` }) : null, item.filename),
    h("td", {}, item.status, error),
    h("td", { class: "downloads" }, links.length ? links : "—"),
  );
}
