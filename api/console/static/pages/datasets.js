// Datasets: create, list, and one dataset's photos — drag-and-drop upload with per-file progress and
// outcome, a thumbnail grid with editable captions, delete.

import { api, upload } from "../lib/api.js";
import { announce, dataTable, errorBox, field, formatBytes, formatTime, h, replace, select } from "../lib/dom.js";
import { dropzone, stem } from "../lib/dropzone.js";

const PARALLEL_UPLOADS = 3;

export default async function datasetsPage(root, { params, navigate }) {
  if (params[0]) return datasetDetail(root, params[0], navigate);
  return datasetList(root, navigate);
}

async function datasetList(root, navigate) {
  const datasets = await api.all("/v1/datasets");
  const errors = errorBox();
  const name = h("input", { name: "name", required: true, maxlength: 200 });
  const trigger = h("input", { name: "trigger_word", maxlength: 50, pattern: "[\\w][\\w .'\\-]{0,49}" });
  const kind = select({ name: "kind" }, ["subject", "style"], "subject");
  const description = h("textarea", { name: "description", rows: 2, maxlength: 2000 });
  const form = h(
    "form",
    { class: "card", "aria-labelledby": "create-dataset" },
    h("h2", { id: "create-dataset" }, "New dataset"),
    h("div", { class: "row" }, field("Name", name), field("Trigger word", trigger, "e.g. ZOE"), field("Kind", kind)),
    field("Description", description),
    errors.el,
    h("button", { type: "submit", class: "primary" }, "Create dataset"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    errors.clear();
    try {
      const created = await api.post("/v1/datasets", {
        name: name.value,
        trigger_word: trigger.value || null,
        kind: kind.value,
        description: description.value || null,
      });
      announce(`Dataset ${created.name} created.`);
      navigate(`datasets/${created.id}`);
    } catch (error) {
      errors.show(error);
    }
  });
  const rows = datasets.map((d) =>
    h(
      "tr",
      {},
      h("td", {}, h("a", { href: `#/datasets/${d.id}` }, d.name)),
      h("td", {}, d.kind),
      h("td", { class: "num" }, d.image_count),
      h("td", { class: "num" }, formatBytes(d.total_bytes)),
      h("td", {}, formatTime(d.created_at)),
    ),
  );
  const table = dataTable(["Name", "Kind", "Photos", "Size", "Created"]);
  table.set(rows);
  replace(root, h("h1", {}, "Datasets"), form, h("h2", {}, "Your datasets"), datasets.length ? table.el : h("p", {}, "No datasets yet."));
}

async function datasetDetail(root, datasetId, navigate) {
  const dataset = await api.get(`/v1/datasets/${encodeURIComponent(datasetId)}`);
  const errors = errorBox();
  const summary = h("p", { class: "meta" });
  const grid = h("ul", { class: "thumbs", "aria-label": "Photos" });
  const queue = h("ul", { class: "uploads", "aria-label": "Uploads" });

  async function refresh() {
    const [fresh, images] = await Promise.all([
      api.get(`/v1/datasets/${dataset.id}`),
      api.all(`/v1/datasets/${dataset.id}/images`),
    ]);
    replace(summary, `${fresh.kind} · ${fresh.image_count} photos · ${formatBytes(fresh.total_bytes)}`);
    if (fresh.trigger_word) summary.append(` · trigger word ${fresh.trigger_word}`);
    replace(grid, images.map((image) => thumbnail(dataset.id, image, errors, refresh)));
    grid.dataset.count = String(images.length);
  }

  const zone = dropzone({
    label: "Add photos",
    hint: "…or drop photos here (JPEG, PNG or WebP; a .txt file named like a photo is its caption).",
    onFiles: (files) => uploadAll(dataset.id, files, queue, refresh),
  });

  const deleteButton = h("button", { type: "button", class: "danger" }, "Delete dataset");
  deleteButton.addEventListener("click", async () => {
    if (!window.confirm(`Delete dataset “${dataset.name}” and all its photos?`)) return;
    errors.clear();
    try {
      await api.del(`/v1/datasets/${dataset.id}`);
      announce("Dataset deleted.");
      navigate("datasets");
    } catch (error) {
      errors.show(error);
    }
  });

  replace(
    root,
    h("p", {}, h("a", { href: "#/datasets" }, "← All datasets")),
    h("h1", {}, dataset.name),
    summary,
    h("div", { class: "actions" }, h("a", { class: "button", href: "#/train" }, "Train on it"), deleteButton),
    errors.el,
    h("h2", {}, "Upload"),
    zone,
    queue,
    h("h2", {}, "Photos"),
    grid,
  );
  await refresh();
}

function thumbnail(datasetId, image, errors, refresh) {
  const caption = h("input", { value: image.caption || "", maxlength: 2000, name: "caption" });
  const base = `/v1/datasets/${datasetId}/images/${image.id}`;
  caption.addEventListener("change", async () => {
    errors.clear();
    try {
      await api.patch(base, { caption: caption.value || null });
      announce(`Caption of ${image.filename} saved.`);
    } catch (error) {
      errors.show(error);
    }
  });
  const remove = h("button", { type: "button", class: "link danger", "aria-label": `Delete ${image.filename}` }, "Delete");
  remove.addEventListener("click", async () => {
    errors.clear();
    try {
      await api.del(base);
      announce(`${image.filename} deleted.`);
      await refresh();
    } catch (error) {
      errors.show(error);
    }
  });
  return h(
    "li",
    { "data-image-id": image.id },
    h("img", { src: image.url, alt: image.filename, width: image.width, height: image.height, loading: "lazy" }),
    field(`Caption for ${image.filename}`, caption),
    remove,
  );
}

/** One request per photo (with its caption), a few at a time: per-file progress and per-file outcome. */
async function uploadAll(datasetId, files, queue, refresh) {
  const groups = new Map();
  for (const file of files) {
    const key = stem(file.name);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(file);
  }
  const jobs = [...groups.values()].map((group) => ({ group, rows: group.map((f) => queueRow(queue, f)) }));
  announce(`Uploading ${files.length} files…`);
  let next = 0;
  const counts = { accepted: 0, rejected: 0 };
  async function lane() {
    while (next < jobs.length) {
      const job = jobs[next++];
      await uploadGroup(datasetId, job, counts);
    }
  }
  await Promise.all(Array.from({ length: Math.min(PARALLEL_UPLOADS, jobs.length) }, lane));
  announce(`Upload finished: ${counts.accepted} accepted, ${counts.rejected} rejected.`);
  queue.dataset.done = String(Number(queue.dataset.done || 0) + files.length);
  await refresh();
}

function queueRow(queue, file) {
  const bar = h("progress", { max: 1, value: 0, "aria-label": `Upload of ${file.name}` });
  const outcome = h("span", { class: "outcome" }, "waiting");
  const row = h("li", { "data-filename": file.name, "data-outcome": "pending" }, h("span", { class: "name" }, file.name), bar, outcome);
  queue.append(row);
  return { file, row, bar, outcome };
}

async function uploadGroup(datasetId, { group, rows }, counts) {
  const form = new FormData();
  for (const file of group) form.append("files", file, file.name);
  for (const r of rows) r.outcome.textContent = "uploading";
  let result;
  try {
    result = await upload(`/v1/datasets/${datasetId}/images`, form, (fraction) => {
      for (const r of rows) r.bar.value = fraction;
    });
  } catch (error) {
    const reasons = error.errors.length ? error.errors.map((e) => e.detail) : [error.detail];
    for (const r of rows) settle(r, "rejected", reasons.join(" "), counts);
    return;
  }
  const accepted = result.images.length > 0;
  for (const r of rows) {
    const isCaption = r.file.name.toLowerCase().endsWith(".txt");
    const own = result.rejected.filter((x) => x.filename === r.file.name || (!isCaption && !x.filename.toLowerCase().endsWith(".txt")));
    if (own.length) settle(r, "rejected", own.map((x) => x.detail).join(" "), counts);
    else settle(r, "accepted", isCaption ? "caption attached" : accepted ? "accepted" : "not stored", counts);
  }
}

function settle(r, outcome, text, counts) {
  r.bar.value = 1;
  r.row.dataset.outcome = outcome;
  r.outcome.textContent = outcome === "rejected" ? `rejected: ${text}` : text;
  counts[outcome] += 1;
}
