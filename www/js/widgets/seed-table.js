// The source article's comparison of pre-training and alignment (Chinese original, with an English
// translation in the English UI), shared by the objectives and train views.
import { h } from "../dom.js";

export const SEED_ZH = [
  ["特征", "预训练", "对齐 (SFT)"],
  ["目标", "学习通用语言表示", "迁移到特定任务"],
  ["数据", "海量未标注数据", "高质量标注数据"],
  ["Loss函数", "自监督学习 (MLM, CLM)", "监督学习 (Cross-Entropy, MSE)"],
  ["Loss特点", "数值较大,关注语言理解", "数值较小,关注任务表现"],
];
export const SEED_EN = [
  ["Feature", "Pre-training", "Alignment (SFT)"],
  ["Goal", "learn general language representations", "transfer to a specific task"],
  ["Data", "massive unlabelled data", "high-quality labelled data"],
  ["Loss", "self-supervised (MLM, CLM)", "supervised (cross-entropy, MSE)"],
  ["Loss values", "larger; about language understanding", "smaller; about task performance"],
];

/** @param {string[][]} data @param {string} lang */
function table(data, lang) {
  return h(
    "table",
    { class: "seed-table", lang },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        data[0].map((c) => h("th", { scope: "col", text: c })),
      ),
    ),
    h(
      "tbody",
      {},
      data.slice(1).map((r) =>
        h(
          "tr",
          {},
          h("th", { scope: "row", text: r[0] }),
          r.slice(1).map((c) => h("td", { text: c })),
        ),
      ),
    ),
  );
}

/**
 * The article's table in a sideways-scrolling region: the original, plus the translation in English.
 * @param {{ lang: string }} ctx @param {{ scrollLabel: string, sourceLabel: string }} labels
 */
export function seedTable(ctx, { scrollLabel, sourceLabel }) {
  return h(
    "div",
    { class: "seed" },
    h("p", { class: "hint", text: sourceLabel }),
    h(
      "div",
      { class: "scroll-x", tabindex: "0", role: "region", "aria-label": scrollLabel },
      ctx.lang === "zh" ? table(SEED_ZH, "zh-CN") : [table(SEED_ZH, "zh-CN"), table(SEED_EN, "en")],
    ),
  );
}
