// A button that copies a text to the clipboard and says, in its own label for a moment, whether it did.

/** How long the "Copied" feedback stays before the button shows its label again (ms). */
const FEEDBACK_MS = 1600;

/**
 * Wires copying onto `button`: on click, `textOf()` goes to the clipboard; the button then reads
 * `copied` (or `failed` where the browser refuses the clipboard, e.g. an insecure origin) and its
 * `copied` class is set until the feedback ends. Returns the button.
 * @param {HTMLButtonElement} button @param {() => string | null} textOf
 * @param {{ copied: string, failed: string }} words
 */
export function makeCopyButton(button, textOf, words) {
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  /** @type {string | null} */
  let label = null;
  button.addEventListener("click", async () => {
    const text = textOf();
    if (text === null || text === "") return;
    // The label before the first click of a burst (a second click must not keep "Copied").
    if (label === null) label = button.textContent;
    let ok = true;
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      ok = false;
    }
    button.textContent = ok ? words.copied : words.failed;
    button.classList.toggle("copied", ok);
    button.dataset.copied = ok ? "true" : "false";
    clearTimeout(timer);
    timer = setTimeout(() => {
      button.textContent = label;
      label = null;
      button.classList.remove("copied");
      delete button.dataset.copied;
    }, FEEDBACK_MS);
  });
  return button;
}
