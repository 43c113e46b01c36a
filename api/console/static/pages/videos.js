// Videos: pick an image (a generated one, an upload or a dataset image) → a short video (Stable Video
// Diffusion) → live status over the video's stream → a <video> player with its poster and a download.
// `#/videos/<gim_…>` preselects a generated image (the Generate gallery links here).

import { api } from "../lib/api.js";
import { announce, errorBox, field, formatBytes, formatTime, h, idempotencyKey, replace } from "../lib/dom.js";
import { imagePicker } from "../lib/picker.js";
import { watchJob } from "../lib/stream.js";

export default async function videosPage(root, { params }) {
  const recent = await api.get("/v1/videos", { limit: 10 });
  const errors = errorBox();
  const picker = imagePicker({ label: "First frame", name: "video-image", selected: params[0] || null });
  const motion = h("input", { type: "number", name: "motion_bucket_id", min: 1, max: 255, value: 127 });
  const fps = h("input", { type: "number", name: "fps", min: 10, max: 100, value: 25 });
  const seed = h("input", { type: "number", name: "seed", min: 0, max: 4294967295, step: 1 });
  const submit = h("button", { type: "submit", class: "primary" }, "Create video");
  const status = h("p", { class: "status", role: "status", "data-role": "video-status" });
  const list = h("div", { class: "videos" });
  const watches = new Set();

  const form = h(
    "form",
    { class: "card", "aria-labelledby": "new-video" },
    h("h2", { id: "new-video" }, "New video"),
    picker.el,
    h("div", { class: "row" }, field("Motion", motion, "1–255: more motion as it grows."), field("Frames per second", fps), field("Seed", seed, "Empty: random.")),
    errors.el,
    submit,
    status,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    errors.clear();
    const image = picker.ref();
    if (!image) {
      errors.show({ detail: "Choose the first frame: a generated image, an upload or a dataset image." });
      return;
    }
    const body = { image, motion_bucket_id: parseInt(motion.value, 10), fps: parseInt(fps.value, 10) };
    if (seed.value !== "") body.seed = parseInt(seed.value, 10);
    submit.disabled = true;
    let video;
    try {
      video = await api.post("/v1/videos", body, { "Idempotency-Key": idempotencyKey() });
    } catch (error) {
      errors.show(error);
      return;
    } finally {
      submit.disabled = false;
    }
    showStatus(status, video);
    const card = videoCard(video);
    list.prepend(card.el);
    const watch = watchJob({ kind: "video", job: video, onJob: (job) => { showStatus(status, job); card.update(job); } });
    watches.add(watch);
    const done = await watch.done;
    watches.delete(watch);
    showStatus(status, done);
    card.update(done);
    announce(`Video ${done.status}.`);
  });

  replace(root, h("h1", {}, "Videos"), form, h("h2", {}, "Your videos"), list);
  for (const v of recent.data) list.append(videoCard(v).el);
  await picker.ready;
  return () => {
    for (const w of watches) w.stop();
  };
}

function showStatus(el, job) {
  el.dataset.status = job.status;
  el.textContent = `Video ${job.status}${job.error ? ` — ${job.error.message}` : ""}`;
}

/** One video: status while it runs, then the player (poster = first frame) and a download link. */
function videoCard(video) {
  const el = h("article", { class: "card", "data-video-id": video.id });
  function update(v) {
    el.dataset.status = v.status;
    const title = h("h3", {}, `${v.id} · ${v.status}`);
    if (v.status !== "succeeded" || !v.video) {
      replace(el, title, h("p", { class: "hint" }, v.error ? v.error.message : `Created ${formatTime(v.created_at)}.`));
      return;
    }
    const file = v.video;
    const player = h("video", {
      class: "player",
      controls: true,
      preload: "metadata",
      playsinline: true,
      poster: file.poster_url,
      src: file.url,
      width: file.width,
      height: file.height,
      "aria-label": `Video ${v.id}`,
    });
    replace(
      el,
      title,
      player,
      h(
        "p",
        {},
        `${file.width}×${file.height}, ${file.frames} frames, ${file.duration_s.toFixed(1)} s, ${formatBytes(file.size_bytes)} · `,
        h("a", { href: file.url, download: `${v.id}.mp4`, "data-role": "download" }, "Download MP4"),
      ),
    );
  }
  update(video);
  return { el, update };
}
