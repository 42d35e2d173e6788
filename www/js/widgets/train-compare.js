// The source article's table beside the learner's own measured numbers: held-out pre-training (CLM)
// loss after pre-training, held-out SFT response loss after SFT (and, if run, SFT without masking),
// with the reasons in plain words, each tied to what the curves and token strips show.
import { h, fill } from "../dom.js";
import { short, exact } from "../format.js";
import { seedTable } from "./seed-table.js";

/** The lesson's numbers from the runs: the latest finished run of each objective, its final evaluation. @param {import("../trainer.js").Run[]} runs */
export function lessonNumbers(runs) {
  /** The latest finished run of an objective with an evaluation, and its final evaluation. @param {import("../trainer.js").Objective} objective */
  const lastDone = (objective) => {
    const run = [...runs].reverse().find((r) => r.done && r.objective === objective && r.evals.length);
    return run ? { run, final: run.evals[run.evals.length - 1] } : null;
  };
  const pre = lastDone("clm");
  const sft = lastDone("sft");
  const unmasked = lastDone("sft-unmasked");
  return {
    clm: pre ? pre.final.clm : null,
    sft: sft ? sft.final.sft : null,
    unmasked: unmasked ? unmasked.final.sftUnmasked : null,
    sftStart: sft ? sft.run.train.find((v) => Number.isFinite(v)) : null,
    sftAfterClm: sft ? sft.final.clm : null,
  };
}

/** @param {import("../shell.js").ViewContext} ctx */
export function createTrainCompare(ctx) {
  const { t } = ctx;
  /** @param {string} labelKey @param {string} testid */
  const stat = (labelKey, testid) => {
    const out = h("span", { class: "big-number", dataset: { testid, value: "" }, text: "—" });
    const sub = h("span", { class: "stat-sub" });
    return {
      out,
      sub,
      el: h("div", { class: "stat" }, h("span", { class: "stat-label", text: t(labelKey) }), out, sub),
    };
  };
  const clm = stat("train.cmp.clm", "train-clm-loss");
  const sft = stat("train.cmp.sft", "train-sft-loss");
  const unmasked = stat("train.cmp.unmasked", "train-unmasked-loss");
  const verdict = h("p", { class: "verdict", dataset: { testid: "train-verdict" } });
  const yours = h("tbody", {});
  const reasons = h("ol", { class: "reasons" });
  const el = h(
    "div",
    { class: "train-compare" },
    h("div", { class: "stats" }, clm.el, sft.el, unmasked.el),
    verdict,
    h(
      "div",
      { class: "scroll-x", tabindex: "0", role: "region", "aria-label": t("train.cmp.yoursTitle") },
      h(
        "table",
        { class: "seed-table yours-table" },
        h("caption", { text: t("train.cmp.yoursTitle") }),
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            h("td", {}),
            h("th", { scope: "col", text: t("train.cmp.colPre") }),
            h("th", { scope: "col", text: t("train.cmp.colSft") }),
          ),
        ),
        yours,
      ),
    ),
    h("h3", { text: t("train.cmp.whyTitle") }),
    reasons,
    h("h3", { text: t("train.cmp.articleTitle") }),
    seedTable(ctx, { scrollLabel: t("train.cmp.articleScroll"), sourceLabel: t("obj.seedSource") }),
  );

  let shown = "";
  /** @param {import("../trainer.js").SessionState} st @param {import("./train-curves.js").Reference} ref */
  function update(st, ref) {
    const n = lessonNumbers(st.runs);
    const key = JSON.stringify([n, ref]);
    if (key === shown) return;
    shown = key;
    /** @param {{ out: HTMLElement, sub: HTMLElement }} s @param {number | null} v @param {string} sub */
    const put = (s, v, sub) => {
      s.out.textContent = v === null ? "—" : v.toFixed(4);
      s.out.dataset.value = v === null ? "" : exact(v);
      s.sub.textContent = sub;
    };
    put(clm, n.clm, t("train.cmp.clmSub"));
    put(sft, n.sft, t("train.cmp.sftSub"));
    put(unmasked, n.unmasked, n.unmasked === null ? t("train.cmp.unmaskedNone") : t("train.cmp.unmaskedSub"));
    const f = (/** @type {number | null | undefined} */ v) => (v === null || v === undefined ? "—" : short(v, 3));
    if (n.clm !== null && n.sft !== null) {
      verdict.textContent =
        n.clm > n.sft
          ? t("train.cmp.agree", { clm: f(n.clm), sft: f(n.sft), ratio: short(n.clm / n.sft, 2) })
          : t("train.cmp.disagree", { clm: f(n.clm), sft: f(n.sft) });
      verdict.className = n.clm > n.sft ? "verdict ok" : "verdict warn";
    } else {
      verdict.textContent = t("train.cmp.pending");
      verdict.className = "verdict";
    }
    const row = (/** @type {string} */ head, /** @type {string} */ a, /** @type {string} */ b) =>
      h("tr", {}, h("th", { scope: "row", text: head }), h("td", { text: a }), h("td", { text: b }));
    fill(
      yours,
      row(t("train.cmp.rowArticle"), t("train.cmp.articlePre"), t("train.cmp.articleSft")),
      row(
        t("train.cmp.rowYours"),
        n.clm === null ? "—" : t("train.cmp.yoursPre", { v: f(n.clm) }),
        n.sft === null ? "—" : t("train.cmp.yoursSft", { v: f(n.sft) }),
      ),
      row(t("train.cmp.rowTokens"), t("train.cmp.tokensPre"), t("train.cmp.tokensSft")),
      row(
        t("train.cmp.rowStart"),
        t("train.cmp.startPre", { v: f(ref.lnV) }),
        n.sftStart === null ? t("train.cmp.startSftPending") : t("train.cmp.startSft", { v: f(n.sftStart) }),
      ),
    );
    fill(
      reasons,
      h("li", { text: t("train.cmp.why1") }),
      h("li", { text: t("train.cmp.why2") }),
      h("li", {
        text:
          n.sftStart === null
            ? t("train.cmp.why3pending", { lnV: f(ref.lnV), V: ref.V ?? "V" })
            : t("train.cmp.why3", { lnV: f(ref.lnV), V: ref.V, start: f(n.sftStart), sft: f(n.sft) }),
      }),
      h("li", {
        text:
          n.unmasked === null
            ? t("train.cmp.why4pending")
            : t("train.cmp.why4", { u: f(n.unmasked), sft: f(n.sft), clm: f(n.clm) }),
      }),
      n.sftAfterClm !== null && n.clm !== null
        ? h("li", {
            text: t(n.sftAfterClm > n.clm ? "train.cmp.why5up" : "train.cmp.why5flat", {
              after: f(n.sftAfterClm),
              clm: f(n.clm),
            }),
          })
        : null,
      h("li", { text: t("train.cmp.why6", { eps: ref.eps, floor: f(ref.floor) }) }),
    );
  }
  return { el, update };
}
