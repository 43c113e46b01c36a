// Following the API's Server-Sent Events from a browser.
//
// EventSource sends no headers, so each stream is opened with a short-lived stream token from
// `POST /v1/stream-tokens` (`?token=`; never the API key). When the connection drops, EventSource itself
// reconnects and sends `Last-Event-ID`, and the server resumes after it with no gap and no duplicate.
// When the server refuses the reconnect (the token expired, HTTP 401), EventSource gives up (CLOSED):
// then we mint a new token and reopen with `?last_event_id=` set to the last id we saw.

import { api, withQuery } from "./api.js";

const JOB_EVENTS = ["queued", "started", "progress", "log", "succeeded", "failed", "canceled"];
// A character is not a job that ends: its events name its own steps (referenced → training → trained).
const CHARACTER_EVENTS = ["referenced", "training", "started", "progress", "trained", "failed", "canceled"];
export const KINDS = ["training", "generation", "mesh", "video", "character"];
const TERMINAL = new Set(["succeeded", "failed", "canceled"]);

export function isTerminal(status) {
  return TERMINAL.has(status);
}

/** Every event type a stream can carry for these job kinds (EventSource dispatches by type). */
function eventTypes(kinds) {
  return kinds.flatMap((kind) => (kind === "character" ? CHARACTER_EVENTS : JOB_EVENTS).map((e) => `${kind}.${e}`));
}

/**
 * Follow an SSE endpoint. `jobId` scopes the token to one job (per-job streams), `characterId` to one
 * character (its stream, which never ends), neither to the owner's. `onEvent(event)` gets each parsed event
 * (`{id, type, job_id, data}`); a per-job stream stops itself after the terminal event.
 * Returns `{stop(), lastEventId()}`.
 */
export function follow({ path, jobId = null, characterId = null, kinds = KINDS, onEvent, onState = () => {}, tokenTtl = 300 }) {
  const scope = characterId ? { character_id: characterId } : { job_id: jobId };
  let source = null;
  let lastId = null;
  let stopped = false;
  let failures = 0;

  function handle(message) {
    if (message.lastEventId) lastId = message.lastEventId;
    failures = 0;
    const event = JSON.parse(message.data);
    onEvent(event);
    if (jobId && isTerminal(event.type.split(".").pop())) stop();
  }

  async function open() {
    if (stopped) return;
    let token;
    try {
      ({ token } = await api.post("/v1/stream-tokens", { ...scope, ttl_seconds: tokenTtl }));
    } catch (error) {
      onState("error", error);
      retryLater();
      return;
    }
    if (stopped) return;
    source = new EventSource(withQuery(path, { token, last_event_id: lastId }));
    for (const type of eventTypes(kinds)) source.addEventListener(type, handle);
    source.addEventListener("open", () => onState("open"));
    source.addEventListener("error", () => {
      if (stopped) return;
      if (source.readyState === EventSource.CLOSED) {
        // Refused, not dropped (expired token, server restarting): new token, resume after lastId.
        source = null;
        onState("reconnecting");
        retryLater();
      } else {
        onState("reconnecting"); // the browser retries by itself, with Last-Event-ID
      }
    });
  }

  function retryLater() {
    failures += 1;
    setTimeout(open, Math.min(30000, 500 * 2 ** Math.min(failures, 6)));
  }

  function stop() {
    stopped = true;
    if (source) source.close();
    source = null;
    onState("closed");
  }

  open();
  return { stop, lastEventId: () => lastId };
}

/**
 * Follow one job (`kind`: "generation", "video", ...) over its stream until it ends. `onJob(job)` gets
 * each state (`data.job` of every event). Resolves with the job as a fresh GET returns it (signed URLs made
 * now, not when the event was written). `stop()` abandons it (the promise then never settles).
 */
export function watchJob({ kind, job, onJob = () => {} }) {
  const base = `/v1/${kind}s/${job.id}`;
  let stream = null;
  const done = new Promise((resolve, reject) => {
    if (isTerminal(job.status)) {
      api.get(base).then(resolve, reject);
      return;
    }
    stream = follow({
      path: `${base}/stream`,
      jobId: job.id,
      kinds: [kind],
      onEvent(event) {
        const state = event.data && event.data.job;
        if (state) onJob(state);
        if (isTerminal(event.type.split(".").pop())) api.get(base).then(resolve, reject);
      },
    });
  });
  return { done, stop: () => stream && stream.stop() };
}
