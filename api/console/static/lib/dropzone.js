// A drop area with a real, labelled file input inside it: drag and drop for the mouse, the input (a
// button-like label) for the keyboard and screen readers. `onFiles(files)` gets an array of File.

import { h, newId } from "./dom.js";

export function dropzone({ label, hint, accept = null, onFiles }) {
  const inputId = newId("files");
  const hintId = newId("hint");
  const input = h("input", {
    type: "file",
    id: inputId,
    multiple: true,
    accept,
    class: "visually-hidden",
    "aria-describedby": hintId,
  });
  const zone = h(
    "div",
    { class: "dropzone", "data-role": "dropzone" },
    h("label", { for: inputId, class: "button" }, label),
    input,
    h("p", { id: hintId, class: "hint" }, hint),
  );
  input.addEventListener("change", () => {
    const files = Array.from(input.files || []);
    input.value = "";
    if (files.length) onFiles(files);
  });
  zone.addEventListener("dragover", (event) => {
    event.preventDefault();
    zone.classList.add("over");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("over");
    const files = Array.from((event.dataTransfer && event.dataTransfer.files) || []);
    if (files.length) onFiles(files);
  });
  return zone;
}

/** The file's name without its last extension, lower-cased (a caption `a.txt` belongs to `a.jpg`). */
export function stem(name) {
  const dot = name.lastIndexOf(".");
  return (dot > 0 ? name.slice(0, dot) : name).toLowerCase();
}
