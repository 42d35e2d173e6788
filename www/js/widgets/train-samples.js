// Samples from the model: the learner's own prompt, answered at the end of every stage (before and
// after SFT) and on demand with the current weights, and the trainer's own greedy / sampled answers
// to two held-out prompts at the end of each run.
import { h, fill, uid } from "../dom.js";
import { runLabel } from "./train-curves.js";
import { errorMessage } from "../format.js";

export const DEFAULT_PROMPT = { en: "Pip is red. What colour is Pip?", zh: "皮皮是红色的。皮皮是什么颜色的？" };

/** @param {import("../shell.js").ViewContext} ctx @param {import("../trainer.js").TrainSession} session */
export function createTrainSamples(ctx, session) {
  const { t } = ctx;
  const prompt = h("input", {
    type: "text",
    maxlength: "300",
    id: uid("ctl"),
    class: "wide",
    dataset: { testid: "train-prompt" },
  });
  const chat = h("input", { type: "checkbox", id: uid("ctl"), checked: true });
  const temp = h(
    "select",
    { id: uid("ctl") },
    [
      ["0", "train.samples.greedy"],
      ["0.8", "train.samples.t08"],
      ["1.2", "train.samples.t12"],
    ].map(([v, k]) => h("option", { value: v, text: t(k) })),
  );
  const go = h("button", { type: "button", text: t("train.samples.generate"), dataset: { testid: "train-generate" } });
  const now = h("div", { class: "answer-now", "aria-live": "polite", dataset: { testid: "train-answer" } });
  const journey = h("tbody", {});
  const promptHead = h("th", { scope: "col", text: t("train.samples.colPrompt") });
  const journeyPrompt = h("p", { class: "hint" });
  const journeyTable = h(
    "table",
    { class: "results samples-table" },
    h("caption", { class: "sr-only", text: t("train.samples.journey") }),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("th", { scope: "col", text: t("train.samples.colWeights") }),
        promptHead,
        h("th", { scope: "col", text: t("train.samples.colAnswer") }),
      ),
    ),
    journey,
  );
  const heldOut = h("div", { class: "held-samples" });
  let seed = 1;

  prompt.addEventListener("input", () => {
    session.get().prompt = prompt.value;
  });
  go.addEventListener("click", async () => {
    const st = session.get();
    if (!prompt.value.trim()) return;
    go.disabled = true;
    const last = [...st.runs].reverse().find((r) => r.done);
    const weights = last ? t("train.samples.after", { run: runLabel(t, st.runs, last) }) : t("train.samples.initial");
    try {
      const text = await session.generate(prompt.value, {
        maxTokens: 60,
        temperature: Number(temp.value),
        seed: seed++,
        chat: chat.checked,
      });
      fill(
        now,
        h("p", { class: "hint", text: t("train.samples.nowFrom", { weights }) }),
        h("pre", { class: "answer", text: text || t("train.samples.emptyAnswer") }),
      );
    } catch (e) {
      fill(now, h("p", { class: "error", text: errorMessage(e) }));
    } finally {
      go.disabled = session.isBusy();
    }
  });

  const el = h(
    "div",
    { class: "train-samples" },
    h("div", { class: "field" }, h("label", { for: prompt.id, text: t("train.samples.prompt") }), prompt),
    h(
      "div",
      { class: "inline" },
      h("span", { class: "field-check" }, chat, h("label", { for: chat.id, text: t("train.samples.chat") })),
      h("label", { for: temp.id, text: t("train.samples.temperature") }),
      temp,
      go,
    ),
    now,
    h("h3", { text: t("train.samples.journey") }),
    h("p", { class: "hint", text: t("train.samples.journeyHint") }),
    journeyPrompt,
    h(
      "div",
      { class: "scroll-x", tabindex: "0", role: "region", "aria-label": t("train.samples.journey") },
      journeyTable,
    ),
    h("h3", { text: t("train.samples.heldOut") }),
    heldOut,
  );

  let heldKey = "";
  /** @param {import("../trainer.js").SessionState} st @param {boolean} busy */
  function update(st, busy) {
    if (st.prompt !== null && prompt.value !== st.prompt && prompt.ownerDocument.activeElement !== prompt)
      prompt.value = st.prompt;
    go.disabled = busy || !st.config;
    const weightsOf = (/** @type {string | null} */ after) => {
      if (after === null) return t("train.samples.initial");
      const r = st.runs.find((x) => x.name === after);
      return r ? t("train.samples.after", { run: runLabel(t, st.runs, r) }) : after;
    };
    const jKey = JSON.stringify([st.answers, st.runs.map((r) => r.name)]);
    if (jKey === journeyKey) return updateHeld(st);
    journeyKey = jKey;
    // The prompt column only when the answers were to different prompts.
    const mixed = st.answers.some((a) => a.prompt !== st.answers[0].prompt);
    promptHead.hidden = !mixed;
    journeyPrompt.textContent =
      st.answers.length && !mixed ? t("train.samples.forPrompt", { p: st.answers[0].prompt }) : "";
    fill(
      journey,
      st.answers.length === 0
        ? h("tr", {}, h("td", { colspan: "3", class: "muted", text: t("train.samples.journeyEmpty") }))
        : st.answers.map((a) =>
            h(
              "tr",
              {},
              h("th", { scope: "row", text: weightsOf(a.after) }),
              mixed ? h("td", { class: "prompt-cell", text: a.prompt }) : null,
              h("td", {}, h("pre", { class: "answer", text: a.text || t("train.samples.emptyAnswer") })),
            ),
          ),
    );
    updateHeld(st);
  }
  let journeyKey = "";
  // The trainer's samples: two held-out prompts, answered at the end of each run.
  /** @param {import("../trainer.js").SessionState} st */
  function updateHeld(st) {
    const done = st.runs.filter((r) => r.done && r.samples?.length);
    const key = done.map((r) => r.name).join("|") + ctx.lang;
    if (key === heldKey) return;
    heldKey = key;
    if (done.length === 0) return fill(heldOut, h("p", { class: "hint", text: t("train.samples.heldOutEmpty") }));
    const prompts = done[0].samples.map((x) => x.prompt);
    fill(
      heldOut,
      prompts.map((p, i) =>
        h(
          "div",
          { class: "held-sample" },
          h("pre", { class: "answer prompt-text", text: p }),
          h(
            "div",
            {
              class: "scroll-x",
              tabindex: "0",
              role: "region",
              "aria-label": t("train.samples.heldOutTable", { i: i + 1 }),
            },
            h(
              "table",
              { class: "results samples-table" },
              h("caption", { class: "sr-only", text: t("train.samples.heldOutTable", { i: i + 1 }) }),
              h(
                "thead",
                {},
                h(
                  "tr",
                  {},
                  h("th", { scope: "col", text: t("train.samples.colWeights") }),
                  h("th", { scope: "col", text: t("train.samples.colGreedy") }),
                  h("th", { scope: "col", text: t("train.samples.colSampled") }),
                ),
              ),
              h(
                "tbody",
                {},
                done.map((r) => {
                  const s = r.samples.find((x) => x.prompt === p) ?? r.samples[i];
                  return h(
                    "tr",
                    {},
                    h("th", { scope: "row", text: t("train.samples.after", { run: runLabel(t, st.runs, r) }) }),
                    h("td", {}, h("pre", { class: "answer", text: s?.greedy || "—" })),
                    h("td", {}, h("pre", { class: "answer", text: s?.sampled || "—" })),
                  );
                }),
              ),
            ),
          ),
        ),
      ),
    );
  }
  return { el, update };
}
