// The logits grid: positions × vocabulary, token names, the input token and the label per position.
import { h, fill, setValue, uid } from "../dom.js";
import { short, shortestF32, exact } from "../format.js";
import { LIMITS, cleanName } from "../state.js";
import { createLabelTools } from "./label-tools.js";

const NUM_RE = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d{1,3})?\s*$/;
/** @type {Record<string, number>} */
const NONFINITE = { inf: Infinity, "+inf": Infinity, "-inf": -Infinity, nan: NaN };

/** Parses what a person typed into a logit cell: a number, inf, -inf or nan; null if not (yet) valid. @param {string} text */
export function parseLogit(text) {
  const x = typedLogit(text);
  return x === null || !Number.isFinite(x) ? x : Math.max(-LIMITS.logit, Math.min(LIMITS.logit, x));
}

/** What a cell's text says before the clamp to ±LIMITS.logit; null if not (yet) a value. @param {string} text */
function typedLogit(text) {
  const t = text.trim().toLowerCase();
  if (Object.hasOwn(NONFINITE, t)) return NONFINITE[t];
  if (!NUM_RE.test(t)) return null;
  const x = Number(t);
  return Number.isFinite(x) ? x : null;
}

const showLogit = (/** @type {number} */ x) =>
  Number.isNaN(x) ? "nan" : x === Infinity ? "inf" : x === -Infinity ? "-inf" : String(x);

/** @param {import("../shell.js").ViewContext} ctx */
export function createLogitGrid(ctx) {
  const { t, store } = ctx;
  const el = h("div", { class: "grid-widget" });
  const scroller = h("div", { class: "scroll-x", tabindex: "0", role: "region", "aria-label": t("grid.scroll") });
  const table = h("table", { class: "logit-grid" });
  const caption = h("caption", { class: "sr-only", text: t("grid.caption") });
  scroller.append(table);
  let shape = "";
  /** @type {HTMLInputElement[][]} */
  let cells = []; // [t][c] inputs
  /** @type {HTMLInputElement[]} */
  let nameInputs = [];
  /** @type {HTMLSelectElement[]} */
  let inputSelects = [];
  /** @type {HTMLSelectElement[]} */
  let labelSelects = [];
  /** @type {HTMLTableCellElement[]} */
  let targetCells = [];
  /** @type {HTMLOutputElement[]} */
  let lossCells = [];
  /** @type {HTMLButtonElement[]} */
  let posButtons = [];

  const set = (/** @type {Partial<import("../state.js").State>} */ patch) => store.set(patch);
  /** @param {number} r @param {number} c @param {number} x */
  const setLogit = (r, c, x) => {
    const logits = store.get().logits.map((row) => row.slice());
    logits[r][c] = x;
    set({ logits });
  };

  /** @param {import("../state.js").State} s */
  function build(s) {
    const T = s.logits.length;
    const V = s.vocab.length;
    /** @type {HTMLInputElement[]} */
    const flat = [];
    nameInputs = [];
    inputSelects = [];
    labelSelects = [];
    targetCells = [];
    lossCells = [];
    posButtons = [];
    const head = h(
      "tr",
      {},
      h("th", { scope: "col", text: t("grid.position") }),
      h("th", { scope: "col", text: t("grid.sees") }),
      Array.from({ length: V }, (_, c) => {
        const input = h("input", {
          type: "text",
          class: "name-input",
          maxlength: String(LIMITS.nameChars),
          spellcheck: "false",
          "aria-label": t("grid.tokenName", { c }),
          oninput: () => {
            const vocab = store.get().vocab.slice();
            vocab[c] = cleanName(input.value);
            set({ vocab });
          },
        });
        nameInputs.push(input);
        return h("th", { scope: "col" }, h("span", { class: "class-index", text: String(c) }), input);
      }),
      h("th", { scope: "col", class: "col-label", text: t("grid.label") }),
      h("th", { scope: "col", text: t("grid.target") }),
      h("th", { scope: "col", class: "col-loss", text: t("grid.tokenLoss") }),
    );
    const body = Array.from({ length: T }, (_, r) => {
      const pos = h("button", {
        type: "button",
        class: "pos-button",
        text: String(r),
        "aria-label": t("grid.showPosition", { r }),
        onclick: () => set({ position: r }),
      });
      posButtons.push(pos);
      const inSel = h("select", {
        "aria-label": t("grid.inputAt", { r }),
        onchange: () => {
          const inputTokens = store.get().inputTokens.slice();
          inputTokens[r] = Number(inSel.value);
          set({ inputTokens });
        },
      });
      inputSelects.push(inSel);
      const rowCells = Array.from({ length: V }, (_, c) => {
        const input = h("input", {
          type: "text",
          inputmode: "decimal",
          class: "logit",
          spellcheck: "false",
          autocomplete: "off",
          "aria-label": t("grid.logitAt", { r, c }),
          dataset: { testid: `logit-${r}-${c}` },
          oninput: () => {
            const x = parseLogit(input.value);
            input.setAttribute("aria-invalid", x === null ? "true" : "false");
            if (x !== null) setLogit(r, c, x);
          },
          onchange: () => {
            if (parseLogit(input.value) === null) input.value = showLogit(store.get().logits[r][c]);
            input.setAttribute("aria-invalid", "false");
          },
          onkeydown: (e) => {
            if (e.key !== "ArrowUp" && e.key !== "ArrowDown") return;
            e.preventDefault();
            const cur = store.get().logits[r][c];
            if (!Number.isFinite(cur)) return;
            const step = (e.shiftKey ? 1 : 0.1) * (e.key === "ArrowUp" ? 1 : -1);
            setLogit(r, c, Math.max(-LIMITS.logit, Math.min(LIMITS.logit, Math.round((cur + step) * 1000) / 1000)));
          },
        });
        flat.push(input);
        return h("td", {}, input);
      });
      const labelSel = h("select", {
        "aria-label": t("grid.labelAt", { r }),
        dataset: { testid: `label-${r}` },
        onchange: () => {
          const s = store.get();
          const labels = s.labels.slice();
          labels[r] = Number(labelSel.value);
          // While the prompt is masked, an edit is also what taking the mask off gives back.
          const before = s.labelsBeforeMask.slice();
          if (r < before.length) before[r] = labels[r];
          set({ labels, labelsBeforeMask: before });
        },
      });
      labelSelects.push(labelSel);
      const target = h("td", { class: "target" });
      targetCells.push(target);
      const lossOut = h("output", { dataset: { testid: `token-loss-${r}` } });
      lossCells.push(lossOut);
      return h(
        "tr",
        {},
        h("th", { scope: "row" }, pos),
        h("td", {}, inSel),
        rowCells,
        h("td", { class: "col-label" }, labelSel),
        target,
        h("td", { class: "num col-loss" }, lossOut),
      );
    });
    fill(table, caption, h("thead", {}, head), h("tbody", {}, body));
    cells = Array.from({ length: T }, (_, r) => flat.slice(r * V, r * V + V));
  }

  const [addPosition, removePosition, addToken, removeToken] = [
    h("button", { type: "button", text: t("grid.addPosition"), onclick: () => resize(+1, 0) }),
    h("button", { type: "button", text: t("grid.removePosition"), onclick: () => resize(-1, 0) }),
    h("button", { type: "button", text: t("grid.addToken"), onclick: () => resize(0, +1) }),
    h("button", { type: "button", text: t("grid.removeToken"), onclick: () => resize(0, -1) }),
  ];
  const buttons = h("div", { class: "button-row" }, addPosition, removePosition, addToken, removeToken);
  const hint = h("p", { class: "hint", text: t("grid.hint") });

  /** @param {number} dT @param {number} dV */
  function resize(dT, dV) {
    const s = store.get();
    const T = s.logits.length + dT;
    const V = s.vocab.length + dV;
    if (T < 1 || V < 1 || T > LIMITS.T || V > LIMITS.V) return;
    const logits = Array.from({ length: T }, (_, r) => Array.from({ length: V }, (_, c) => s.logits[r]?.[c] ?? 0));
    const vocab = Array.from({ length: V }, (_, c) => s.vocab[c] ?? `t${c}`);
    // A label that leaves the vocabulary becomes "ignore" rather than an out-of-range error.
    const labels = Array.from({ length: T }, (_, r) => {
      const y = s.labels[r] ?? s.ignoreIndex;
      return y >= V ? s.ignoreIndex : y;
    });
    const inputTokens = Array.from({ length: T }, (_, r) => Math.min(s.inputTokens[r] ?? 0, V - 1));
    set({ logits, vocab, labels, inputTokens, position: Math.min(s.position, T - 1) });
  }

  /** @param {HTMLSelectElement} sel @param {(readonly [number, string])[]} options @param {number} value */
  function fillSelect(sel, options, value) {
    const key = JSON.stringify(options);
    if (sel.dataset.opts !== key) {
      fill(
        sel,
        options.map(([v, text]) => h("option", { value: String(v), text })),
      );
      sel.dataset.opts = key;
    }
    sel.value = String(value);
  }

  /** @param {import("../state.js").State} s @param {import("../compute.js").Playground} d */
  function update(s, d) {
    labelTools.update(s);
    const T = s.logits.length;
    const V = s.vocab.length;
    const key = `${T}x${V}`;
    if (key !== shape) {
      build(s);
      shape = key;
    }
    const tokenOptions = s.vocab.map((name, c) => /** @type {const} */ ([c, `${c}: ${name}`]));
    /** @type {string[]} */
    const clampedCells = [];
    for (let r = 0; r < T; r++) {
      for (let c = 0; c < V; c++) {
        const input = cells[r][c];
        const x = s.logits[r][c];
        if (parseLogit(input.value) !== x && !(Number.isNaN(x) && input.value.trim().toLowerCase() === "nan"))
          setValue(input, showLogit(x));
        // Cell shade = predicted probability of that class (from the module's −log p).
        const nl = d.logp?.[r]?.[c];
        const p = nl === undefined || Number.isNaN(nl) ? 0 : Math.exp(-nl);
        input.style.setProperty("--p", p.toFixed(3));
        input.title = d.logp ? `p = ${short(p)}` : "";
        const typed = typedLogit(input.value);
        const clamped = typed !== null && Number.isFinite(typed) && typed !== x && Math.abs(typed) > LIMITS.logit;
        input.classList.toggle("clamped", clamped);
        if (clamped) clampedCells.push(t("msg.logitClamped", { r, c, x: typed, used: x, max: LIMITS.logit }));
      }
      fillSelect(inputSelects[r], tokenOptions, s.inputTokens[r]);
      const y = s.labels[r];
      /** @type {(readonly [number, string])[]} */
      const opts = [[s.ignoreIndex, t("grid.ignore", { ii: s.ignoreIndex })], ...tokenOptions];
      if (y !== s.ignoreIndex && (y < 0 || y >= V))
        opts.push([y, y < 0 ? t("grid.negativeLabel", { y }) : t("grid.outOfVocab", { y })]);
      fillSelect(labelSelects[r], opts, y);
      posButtons[r].setAttribute("aria-pressed", r === s.position ? "true" : "false");
      // What row r is scored against, after shifting; and its loss.
      const scored = r < d.rows;
      const target = scored ? d.targets[r] : null;
      targetCells[r].textContent =
        target === null
          ? t("grid.shiftedAway")
          : target === s.ignoreIndex
            ? t("grid.ignored")
            : target < 0
              ? `${target} → 0: ${s.vocab[0]}`
              : target < V
                ? s.vocab[target]
                : String(target);
      targetCells[r].className = "target" + (target === null || target === s.ignoreIndex ? " muted" : "");
      const loss = d.main && scored ? d.main.perTokenLoss[r] : null;
      // perTokenLoss is a Float32Array: its shortest exact decimal, not a rounding of the widened double.
      lossCells[r].textContent = loss === null ? "—" : shortestF32(loss);
      lossCells[r].dataset.value = exact(loss);
      for (let c = 0; c < V; c++)
        cells[r][c].classList.toggle(
          "is-target",
          target !== null && target !== s.ignoreIndex && (target < 0 ? 0 : target) === c,
        );
    }
    for (let c = 0; c < V; c++) if (nameInputs[c].value !== s.vocab[c]) setValue(nameInputs[c], s.vocab[c]);
    clampNote.hidden = clampedCells.length === 0;
    clampNote.textContent = clampedCells.join(" ");
    addPosition.disabled = T >= LIMITS.T;
    removePosition.disabled = T <= 1;
    addToken.disabled = V >= LIMITS.V;
    removeToken.disabled = V <= 1;
  }

  // Cells whose typed value lies beyond ±LIMITS.logit: the value used is said here, the text stays.
  const clampNote = h("p", { class: "clamp-note", role: "status", dataset: { testid: "clamp-note" }, hidden: true });
  // Keyboard users reach the grid's many inputs one by one: a link past them to the next panel.
  const skip = h("a", {
    href: "#",
    class: "skip-link",
    dataset: { testid: "skip-grid" },
    text: t("grid.skip"),
    onclick: (e) => {
      e.preventDefault(); // the hash holds the state: the link must not change it
      let next = el.closest(".card")?.nextElementSibling;
      while (next instanceof HTMLElement && next.hidden) next = next.nextElementSibling;
      const target = next?.querySelector("h2") ?? next;
      if (!(target instanceof HTMLElement)) return;
      target.tabIndex = -1;
      target.focus();
    },
  });
  const labelTools = createLabelTools(ctx);
  el.append(skip, scroller, clampNote, buttons, labelTools.el, hint);
  return { el, update, id: uid("grid") };
}
