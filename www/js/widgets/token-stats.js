// What the model predicts at each scored position — the argmax token, the label's rank, the
// entropy and the position's perplexity — in plain words, with the overall accuracy and
// perplexity and what temperature does to them. Every number comes from the module's result.
import { h, fill } from "../dom.js";
import { fmt, short, exact } from "../format.js";

/** @param {import("../shell.js").ViewContext} ctx */
export function createTokenStats(ctx) {
  const { t } = ctx;
  /** A headline number with its sentence. @param {string} key @param {string} testid */
  const headline = (key, testid) => {
    const out = h("output", { dataset: { testid } });
    const el = h(
      "div",
      { class: "stat" },
      h("span", { class: "stat-label", text: t(key) }),
      out,
      h("small", { class: "help", text: t(`${key}Help`) }),
    );
    return { out, el };
  };
  const accuracy = headline("tokenStats.accuracy", "accuracy");
  const perplexity = headline("tokenStats.perplexity", "perplexity");
  const temperature = h("p", { class: "hint", dataset: { testid: "temperature-note" } });
  // Numbered from 0, as positions are everywhere else on the page.
  const list = h("ol", { class: "token-stats", start: "0", dataset: { testid: "token-stats" } });
  const el = h(
    "div",
    { class: "token-stats-panel" },
    h("p", { class: "hint", text: t("tokenStats.intro") }),
    h("div", { class: "stats" }, accuracy.el, perplexity.el),
    temperature,
    list,
  );

  /** @param {{ out: HTMLOutputElement }} o @param {number | null} x */
  const put = (o, x) => {
    o.out.textContent = fmt(x, 6);
    o.out.dataset.value = exact(x);
  };

  /** @param {import("../state.js").State} s @param {import("../compute.js").Playground} d */
  function update(s, d) {
    const r = d.main;
    const lnV = Math.log(d.V);
    put(accuracy, r ? r.accuracy : null);
    put(perplexity, r ? r.perplexity : null);
    temperature.textContent = t("tokenStats.temperature", { t: String(s.temperature), lnv: short(lnV) });
    /** A class index by its vocabulary name (or its number where it has none). @param {number} c */
    const name = (c) => s.vocab[c] ?? String(c);
    const items = d.targets.map((label, p) => {
      const ignored = label === s.ignoreIndex;
      const li = h("li", { dataset: { position: String(p) } });
      if (!r || ignored || !r.perTokenEntropy || !r.perTokenRank || !r.predicted) {
        li.textContent = t(ignored ? "tokenStats.ignored" : "tokenStats.unavailable", { label });
        return li;
      }
      const [entropy, rank, predicted] = [r.perTokenEntropy[p], r.perTokenRank[p], r.predicted[p]];
      // e^NLL of this one position: a perplexity of one token, on the module's per-token NLL.
      const ppl = Math.exp(r.perTokenNll[p]);
      Object.assign(li.dataset, {
        entropy: exact(entropy),
        rank: exact(rank),
        predicted: exact(predicted),
        perplexity: exact(ppl),
      });
      li.classList.toggle("correct", predicted === Math.max(0, label));
      li.textContent = t("tokenStats.row", {
        pred: name(predicted),
        label: name(Math.max(0, label)),
        rank,
        h: short(entropy, 3),
        lnv: short(lnV, 3),
        ppl: short(ppl, 3),
      });
      return li;
    });
    fill(list, ...items);
  }
  return { el, update };
}
