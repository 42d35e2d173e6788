// Per-token loss of one held-out prompt/response pair under CLM labels (every next token counts) and
// under SFT labels (the prompt is -100): which tokens count, and which are hard. Shading is the
// token's loss relative to ln V.
import { h, fill, uid } from "../dom.js";
import { short } from "../format.js";
import { runLabel } from "./train-curves.js";
import { boundNumber } from "./field-note.js";

/** A token piece made visible: spaces as ␣, newlines as ↵. */
export const showPiece = (/** @type {string} */ p) => (p === "" ? "∅" : p.replace(/ /g, "␣").replace(/\n/g, "↵"));

/** @param {import("../shell.js").ViewContext} ctx @param {import("../trainer.js").TrainSession} session */
export function createTokenLosses(ctx, session) {
  const { t } = ctx;
  const index = h("input", {
    type: "number",
    min: "1",
    step: "1",
    id: uid("ctl"),
    dataset: { testid: "train-token-index" },
  });
  // An example number beyond the set is clamped to it and the note beside the box says so.
  const indexBound = boundNumber(index, {
    t,
    min: 1,
    max: () => session.get().tokens?.count ?? 1,
    integer: true,
    apply: (i) => {
      const tk = session.get().tokens;
      if (tk && i !== null && i - 1 !== tk.index) session.tokenLosses(i - 1);
    },
    current: () => (session.get().tokens?.index ?? 0) + 1,
  });
  const prev = h("button", { type: "button", text: t("train.tokens.prev"), onclick: () => go(-1) });
  const next = h("button", { type: "button", text: t("train.tokens.next"), onclick: () => go(1) });
  const count = h("span", { class: "hint" });
  const about = h("p", { class: "hint" });
  const clmList = h("ol", {
    class: "tok-strip",
    "aria-label": t("train.tokens.clmRow"),
    dataset: { testid: "train-tokens-clm" },
  });
  const sftList = h("ol", {
    class: "tok-strip",
    "aria-label": t("train.tokens.sftRow"),
    dataset: { testid: "train-tokens-sft" },
  });
  const summary = h("div", { class: "why" });
  const el = h(
    "div",
    { class: "token-losses" },
    h(
      "div",
      { class: "inline" },
      h("label", { for: index.id, text: t("train.tokens.example") }),
      index,
      count,
      indexBound.note,
      prev,
      next,
    ),
    about,
    h("h3", { text: t("train.tokens.clmRow") }),
    h("p", { class: "hint", text: t("train.tokens.clmHint") }),
    clmList,
    h("h3", { text: t("train.tokens.sftRow") }),
    h("p", { class: "hint", text: t("train.tokens.sftHint") }),
    sftList,
    h(
      "p",
      { class: "legend tok-legend" },
      h("span", { class: "tok-key low", "aria-hidden": "true" }),
      h("span", { text: t("train.tokens.low") }),
      h("span", { class: "tok-key high", "aria-hidden": "true" }),
      h("span", { text: t("train.tokens.high") }),
      h("span", { class: "tok-key off", "aria-hidden": "true" }),
      h("span", { text: t("train.tokens.off") }),
    ),
    summary,
  );

  /** @type {import("../trainer.js").Tokens | null} */
  let shown = null;
  const go = (/** @type {number} */ d) => {
    const tk = session.get().tokens;
    if (!tk) return;
    session.tokenLosses(Math.max(0, Math.min(tk.count - 1, tk.index + d)));
  };

  /** @param {string} piece @param {number} loss @param {number} lnV @param {"first" | "masked" | "counted"} state */
  const chip = (piece, loss, lnV, state) => {
    const li = h(
      "li",
      { class: `tok ${state}` },
      h("span", { class: "piece", text: showPiece(piece) }),
      h("span", { class: "tok-loss", text: state === "counted" ? short(loss, 3) : state === "masked" ? "−100" : "—" }),
    );
    if (state === "counted") li.style.setProperty("--a", String(Math.min(1, Math.max(0, loss / lnV)).toFixed(3)));
    return li;
  };

  /** @param {import("../trainer.js").SessionState} st @param {boolean} busy */
  function update(st, busy) {
    const tk = st.tokens;
    prev.disabled = next.disabled = index.disabled = busy || !tk;
    if (!tk) {
      fill(clmList);
      fill(sftList);
      fill(summary);
      about.textContent = t("train.tokens.none");
      return;
    }
    indexBound.sync(tk.index + 1);
    index.max = String(tk.count);
    count.textContent = t("train.tokens.of", { n: tk.count });
    const afterRun = st.runs.find((r) => r.name === tk.after);
    about.textContent = afterRun
      ? t("train.tokens.after", { run: runLabel(t, st.runs, afterRun) })
      : t("train.tokens.initial");
    if (shown === tk) return;
    shown = tk;
    const lnV = st.lnV ?? Math.log(512);
    const n = tk.pieces.length;
    // Token j is predicted at position j − 1: clm[j − 1] / sft[j − 1]; nothing predicts token 0.
    fill(
      clmList,
      tk.pieces.map((p, j) => chip(p, tk.clm[j - 1], lnV, j === 0 ? "first" : "counted")),
    );
    fill(
      sftList,
      tk.pieces.map((p, j) =>
        chip(p, tk.sft[j - 1], lnV, j === 0 ? "first" : j < tk.promptLength ? "masked" : "counted"),
      ),
    );
    const mean = (/** @type {number[]} */ a) => (a.length ? a.reduce((x, y) => x + y, 0) / a.length : NaN);
    const clmVals = tk.clm.slice(0, n - 1);
    const sftVals = tk.sft.slice(tk.promptLength - 1, n - 1);
    const promptVals = tk.clm.slice(0, tk.promptLength - 1);
    const hardest = tk.pieces
      .map((p, j) => /** @type {const} */ ([p, tk.clm[j - 1], j]))
      .slice(1)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3);
    fill(
      summary,
      h(
        "ul",
        {},
        h("li", { text: t("train.tokens.sumClm", { n: clmVals.length, m: short(mean(clmVals), 3) }) }),
        h("li", {
          text: t("train.tokens.sumSft", { n: sftVals.length, m: short(mean(sftVals), 3), p: tk.promptLength }),
        }),
        h("li", { text: t("train.tokens.sumPrompt", { m: short(mean(promptVals), 3) }) }),
        h("li", {
          text: t("train.tokens.hardest", {
            list: hardest
              .map(
                ([p, v, j]) =>
                  `“${showPiece(p)}” ${short(v, 3)} (${j < tk.promptLength ? t("train.tokens.inPrompt") : t("train.tokens.inResponse")})`,
              )
              .join(", "),
          }),
        }),
      ),
    );
  }
  return { el, update };
}
