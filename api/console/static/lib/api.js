// The console's only way to the API: same origin, `Authorization: Bearer <key>` from sessionStorage,
// problem+json errors turned into ApiError (whose `detail` the pages show). The key never goes in a URL.

const KEY = "fotogen.apiKey";

export const session = {
  get key() {
    return sessionStorage.getItem(KEY);
  },
  signIn(key) {
    sessionStorage.setItem(KEY, key.trim());
  },
  signOut() {
    sessionStorage.removeItem(KEY);
  },
};

export class ApiError extends Error {
  constructor(status, problem) {
    const detail = (problem && (problem.detail || problem.title)) || `Request failed (HTTP ${status}).`;
    super(detail);
    this.status = status;
    this.detail = detail;
    this.code = problem && problem.code;
    this.errors = (problem && Array.isArray(problem.errors) && problem.errors) || [];
  }
}

function headers(extra = {}) {
  const out = { Accept: "application/json", ...extra };
  if (session.key) out.Authorization = `Bearer ${session.key}`;
  return out;
}

async function parse(response) {
  if (response.status === 204) return null;
  const type = response.headers.get("content-type") || "";
  const body = type.includes("json") ? await response.json() : await response.text();
  if (!response.ok) {
    if (response.status === 401) window.dispatchEvent(new CustomEvent("fotogen:unauthorized"));
    throw new ApiError(response.status, typeof body === "object" ? body : { detail: body || null });
  }
  return body;
}

async function request(method, path, body, extraHeaders = {}) {
  const init = { method, headers: headers(extraHeaders) };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError(0, { detail: "The API cannot be reached." });
  }
  return parse(response);
}

export const api = {
  get: (path, params) => request("GET", withQuery(path, params)),
  post: (path, body, hdrs) => request("POST", path, body, hdrs),
  patch: (path, body) => request("PATCH", path, body),
  put: (path, body) => request("PUT", path, body),
  del: (path) => request("DELETE", path),
  /** Every page of a list endpoint (newest first), up to `max` items. */
  async all(path, params = {}, max = 500) {
    const out = [];
    let after = null;
    do {
      const page = await api.get(path, { ...params, limit: 100, after });
      out.push(...page.data);
      after = page.has_more ? page.next_cursor : null;
    } while (after && out.length < max);
    return out;
  },
};

export function withQuery(path, params) {
  if (!params) return path;
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== "") q.set(k, v);
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/**
 * A multipart POST with upload progress (fetch cannot report it): resolves with the JSON body,
 * rejects with ApiError. `onProgress(fraction)` is called as the body goes out.
 */
export function upload(path, formData, onProgress = () => {}) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", path);
    for (const [k, v] of Object.entries(headers())) xhr.setRequestHeader(k, v);
    xhr.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    });
    xhr.addEventListener("load", () => {
      let body = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = { detail: xhr.responseText || null };
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body);
      else {
        if (xhr.status === 401) window.dispatchEvent(new CustomEvent("fotogen:unauthorized"));
        reject(new ApiError(xhr.status, body));
      }
    });
    xhr.addEventListener("error", () => reject(new ApiError(0, { detail: "The upload failed: network error." })));
    xhr.send(formData);
  });
}

let schemaPromise = null;
/** The served OpenAPI document (public): which operations exist, and schemas to build forms from. */
export function openapi() {
  if (!schemaPromise) {
    schemaPromise = fetch("/openapi.json", { headers: { Accept: "application/json" } }).then((r) => {
      if (!r.ok) throw new ApiError(r.status, { detail: "The API description is not available." });
      return r.json();
    });
    schemaPromise.catch(() => {
      schemaPromise = null;
    });
  }
  return schemaPromise;
}

/** The operationIds the server offers. */
export async function operations() {
  const doc = await openapi();
  const ids = new Set();
  for (const item of Object.values(doc.paths || {})) for (const op of Object.values(item)) if (op.operationId) ids.add(op.operationId);
  return ids;
}

/** A component schema by name, `$ref`s left as they are. */
export async function componentSchema(name) {
  const doc = await openapi();
  return (doc.components && doc.components.schemas && doc.components.schemas[name]) || null;
}
