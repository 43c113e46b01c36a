// The console shell: sign-in, navigation, and a hash router (#/<page>/<params...>) over pages/index.js.

import { ApiError, api, operations, session } from "./lib/api.js";
import { announce, errorBox, field, h, replace } from "./lib/dom.js";
import { PAGES } from "./pages/index.js";

const main = document.getElementById("main");
const nav = document.getElementById("nav");
const navList = document.getElementById("nav-list");
const signOutButton = document.getElementById("sign-out");

let available = [];
let cleanup = null;
let renderSeq = 0;
let signingIn = false; // a refused key during sign-in is reported by the form itself

function parseHash() {
  const parts = location.hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodeURIComponent);
  return { pageId: parts[0] || null, params: parts.slice(1) };
}

export function navigate(path) {
  location.hash = `#/${path}`;
}

function leavePage() {
  if (cleanup) {
    try {
      cleanup();
    } catch (error) {
      console.warn("page cleanup failed", error);
    }
  }
  cleanup = null;
}

function renderSignIn(message = null) {
  leavePage();
  nav.hidden = true;
  signOutButton.hidden = true;
  const input = h("input", { type: "password", name: "api-key", autocomplete: "off", required: true, spellcheck: "false" });
  const errors = errorBox();
  if (message) errors.show({ detail: message });
  const form = h(
    "form",
    { class: "card sign-in", "aria-labelledby": "sign-in-title" },
    h("h1", { id: "sign-in-title" }, "Sign in"),
    h("p", {}, "Paste an API key (", h("code", {}, "fotogen keys create --owner NAME"), "). It stays in this tab only."),
    field("API key", input),
    errors.el,
    h("button", { type: "submit", class: "primary" }, "Sign in"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    errors.clear();
    session.signIn(input.value);
    signingIn = true;
    try {
      await api.get("/v1/models", { limit: 1 });
    } catch (error) {
      session.signOut();
      errors.show(error);
      input.focus();
      return;
    } finally {
      signingIn = false;
    }
    announce("Signed in.");
    await start();
  });
  replace(main, form);
  input.focus();
}

async function renderNav() {
  const ops = await operations();
  available = PAGES.filter((p) => ops.has(p.needs));
  replace(
    navList,
    available.map((p) => h("li", {}, h("a", { href: `#/${p.id}`, "data-page": p.id }, p.title))),
  );
  nav.hidden = false;
  signOutButton.hidden = false;
}

async function route() {
  if (!session.key) return renderSignIn();
  if (location.hash && !location.hash.startsWith("#/")) return; // in-page anchors (the skip link)
  const { pageId, params } = parseHash();
  const page = available.find((p) => p.id === pageId) || available[0];
  if (!page) return replace(main, h("p", {}, "This server offers no console pages."));
  leavePage();
  const seq = ++renderSeq;
  for (const link of navList.querySelectorAll("a")) {
    if (link.dataset.page === page.id) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  const root = h("section", { class: "page", "data-page": page.id });
  replace(main, root);
  document.title = `${page.title} · FotoGen console`;
  try {
    const module = await page.load();
    const result = await module.default(root, { params, navigate });
    if (seq !== renderSeq) {
      if (typeof result === "function") result(); // the user already moved on
      return;
    }
    cleanup = typeof result === "function" ? result : null;
    root.dataset.ready = "true";
    const heading = root.querySelector("h1");
    if (heading) {
      heading.tabIndex = -1;
      heading.focus({ preventScroll: true });
    }
  } catch (error) {
    if (seq !== renderSeq) return;
    const box = errorBox();
    box.show(error instanceof ApiError ? error : { detail: `The page failed to load: ${error.message}` });
    replace(root, h("h1", {}, page.title), box.el);
  }
}

async function start() {
  try {
    await renderNav();
  } catch (error) {
    const box = errorBox();
    box.show(error);
    replace(main, box.el);
    return;
  }
  await route();
}

signOutButton.addEventListener("click", () => {
  session.signOut();
  announce("Signed out.");
  renderSignIn();
});

window.addEventListener("fotogen:unauthorized", () => {
  if (signingIn) return;
  session.signOut();
  renderSignIn("The API key was refused (revoked or mistyped). Paste a valid key.");
});

window.addEventListener("hashchange", route);

if (session.key) start();
else renderSignIn();
