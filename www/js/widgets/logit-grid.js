// The logits grid: positions × vocabulary, token names, the input token and the label per position.
import { h, fill, setValue, uid } from "../dom.js";
import { short } from "../format.js";
import { LIMITS, cleanName } from "../state.js";

const NUM_RE = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d{1,3})?\s*$/;
const NONFINITE = { inf: Infinity, "+inf": Infinity, "-inf": -Infinity, nan: NaN };

/** Parses what a person typed into a logit cell: a number, inf, -inf or nan; null if not (yet) valid. */
export function parseLogit(text) {
  const t = text.trim().toLowerCase();
  if (Object.hasOwn(NONFINITE, t)) return NONFINITE[t];
  if (!NUM_RE.test(t)) return null;
  const x = Number(t);
  if (!Number.isFinite(x)) return null;
  return Math.max(-LIMITS.logit, Math.min(LIMITS.logit, x));
}

const showLogit = (x) => (Number.isNaN(x) ? "nan" : x === Infinity ? "inf" : x === -Infinity ? "-inf" : String(x));

export function createLogitGrid(ctx) {
  const { t, store } = ctx;
  const el = h("div", { class: "grid-widget" });
  const scroller = h("div", { class: "scroll-x", tabindex: "0", role: "region", "aria-label": t("grid.scroll") });
  const table = h("table", { class: "logit-grid" });
  const caption = h("caption", { class: "sr-only", text: t("grid.caption") });
  scroller.append(table);
  let shape = "";
  let cells = []; // [t][c] inputs
  let nameInputs = [];
  let inputSelects = [];
  let labelSelects = [];
  let targetCells = [];
  let lossCells = [];
  let posButtons = [];

  const set = (patch) => store.set(patch);
  const setLogit = (r, c, x) => {
    const logits = store.get().logits.map((row) => row.slice());
    logits[r][c] = x;
    set({ logits });
  };

  function build(s) {
    const T = s.logits.length;
    const V = s.vocab.length;
    cells = [];
    nameInputs = [];
    inputSelects = [];
    labelSelects = [];
    targetCells = [];
    lossCells = [];
    posButtons = [];
    const head = h("tr", {},
      h("th", { scope: "col", text: t("grid.position") }),
      h("th", { scope: "col", text: t("grid.sees") }),
      Array.from({ length: V }, (_, c) => {
        const input = h("input", {
          type: "text", class: "name-input", maxlength: String(LIMITS.nameChars), spellcheck: "false",
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
      h("th", { scope: "col", text: t("grid.label") }),
      h("th", { scope: "col", text: t("grid.target") }),
      h("th", { scope: "col", text: t("grid.tokenLoss") }),
    );
    const body = Array.from({ length: T }, (_, r) => {
      const pos = h("button", {
        type: "button", class: "pos-button", text: String(r),
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
          type: "text", inputmode: "decimal", class: "logit", spellcheck: "false", autocomplete: "off",
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
        cells.push(input);
        return h("td", {}, input);
      });
      const labelSel = h("select", {
        "aria-label": t("grid.labelAt", { r }),
        dataset: { testid: `label-${r}` },
        onchange: () => {
          const labels = store.get().labels.slice();
          labels[r] = Number(labelSel.value);
          set({ labels });
        },
      });
      labelSelects.push(labelSel);
      const target = h("td", { class: "target" });
      targetCells.push(target);
      const loss = h("td", { class: "num" }, h("output", { dataset: { testid: `token-loss-${r}` } }));
      lossCells.push(loss.firstChild);
      return h("tr", {}, h("th", { scope: "row" }, pos), h("td", {}, inSel), rowCells, h("td", {}, labelSel), target, loss);
    });
    fill(table, caption, h("thead", {}, head), h("tbody", {}, body));
    cells = Array.from({ length: T }, (_, r) => cells.slice(r * V, r * V + V));
  }

  const buttons = h("div", { class: "button-row" },
    h("button", { type: "button", text: t("grid.addPosition"), onclick: () => resize(+1, 0) }),
    h("button", { type: "button", text: t("grid.removePosition"), onclick: () => resize(-1, 0) }),
    h("button", { type: "button", text: t("grid.addToken"), onclick: () => resize(0, +1) }),
    h("button", { type: "button", text: t("grid.removeToken"), onclick: () => resize(0, -1) }),
  );
  const hint = h("p", { class: "hint", text: t("grid.hint") });

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

  function fillSelect(sel, options, value) {
    const key = JSON.stringify(options);
    if (sel.dataset.opts !== key) {
      fill(sel, options.map(([v, text]) => h("option", { value: String(v), text })));
      sel.dataset.opts = key;
    }
    sel.value = String(value);
  }

  function update(s, d) {
    const T = s.logits.length;
    const V = s.vocab.length;
    const key = `${T}x${V}`;
    if (key !== shape) {
      build(s);
      shape = key;
    }
    const tokenOptions = s.vocab.map((name, c) => [c, `${c}: ${name}`]);
    for (let r = 0; r < T; r++) {
      for (let c = 0; c < V; c++) {
        const input = cells[r][c];
        const x = s.logits[r][c];
        if (parseLogit(input.value) !== x && !(Number.isNaN(x) && input.value.trim().toLowerCase() === "nan")) setValue(input, showLogit(x));
        // Cell shade = predicted probability of that class (from the module's −log p).
        const nl = d.logp?.[r]?.[c];
        const p = nl === undefined || Number.isNaN(nl) ? 0 : Math.exp(-nl);
        input.style.setProperty("--p", p.toFixed(3));
        input.title = d.logp ? `p = ${short(p)}` : "";
      }
      fillSelect(inputSelects[r], tokenOptions, s.inputTokens[r]);
      const y = s.labels[r];
      const opts = [[s.ignoreIndex, t("grid.ignore", { ii: s.ignoreIndex })], ...tokenOptions];
      if (y !== s.ignoreIndex && (y < 0 || y >= V)) opts.push([y, y < 0 ? t("grid.negativeLabel", { y }) : t("grid.outOfVocab", { y })]);
      fillSelect(labelSelects[r], opts, y);
      posButtons[r].setAttribute("aria-pressed", r === s.position ? "true" : "false");
      // What row r is scored against, after shifting; and its loss.
      const scored = r < d.rows;
      const target = scored ? d.targets[r] : null;
      targetCells[r].textContent = !scored ? t("grid.shiftedAway") : target === s.ignoreIndex ? t("grid.ignored") : target < 0 ? `${target} → 0: ${s.vocab[0]}` : target < V ? s.vocab[target] : String(target);
      targetCells[r].className = "target" + (!scored || target === s.ignoreIndex ? " muted" : "");
      const loss = d.main && scored ? d.main.perTokenLoss[r] : null;
      lossCells[r].textContent = loss === null ? "—" : short(loss, 5);
      for (let c = 0; c < V; c++) cells[r][c].classList.toggle("is-target", scored && target !== s.ignoreIndex && (target < 0 ? 0 : target) === c);
    }
    for (let c = 0; c < V; c++) if (nameInputs[c].value !== s.vocab[c]) setValue(nameInputs[c], s.vocab[c]);
    buttons.children[0].disabled = T >= LIMITS.T;
    buttons.children[1].disabled = T <= 1;
    buttons.children[2].disabled = V >= LIMITS.V;
    buttons.children[3].disabled = V <= 1;
  }

  el.append(scroller, buttons, hint);
  return { el, update, id: uid("grid") };
}
