// The training data: the bundled corpus (English or 中文) or the learner's own prose / JSONL pairs
// (kept in the page, never in the link), how a sentence becomes tokens, and how an SFT pair becomes
// input_ids and labels (-100 on the prompt).
import { h, fill, uid } from "../dom.js";
import { showPiece } from "./token-losses.js";
import { errorMessage } from "../format.js";

const SENTENCE = { en: "Pip is a red fox who lives by the river.", zh: "皮皮是一只住在河边的红色狐狸。" };
const PAIR = { en: ["Pip is red. What colour is Pip?", "Red."], zh: ["皮皮是红色的。皮皮是什么颜色的？", "红色。"] };
const MAX_OWN = 1_000_000;

/** @param {import("../shell.js").ViewContext} ctx @param {import("../trainer.js").TrainSession} session */
export function createTrainData(ctx, session) {
  const { t, store } = ctx;
  const st0 = session.get();
  // The demos' texts live in the session, so a language switch (which rebuilds the view) keeps them.
  st0.demo ??= { corpus: null, sentence: "", prompt: "", response: "", objective: "sft" };
  const demo = st0.demo;

  const corpus = h(
    "select",
    { id: uid("ctl"), dataset: { testid: "train-corpus" } },
    ["en", "zh"].map((v) => h("option", { value: v, text: t(`train.data.corpus.${v}`) })),
  );
  corpus.addEventListener("change", () => store.set({ trainCorpus: /** @type {"en" | "zh"} */ (corpus.value) }));
  const source = h("p", { class: "hint", dataset: { testid: "train-source" } });

  // Own data.
  const text = h("textarea", {
    id: uid("ctl"),
    rows: "5",
    spellcheck: "false",
    maxlength: String(MAX_OWN),
    dataset: { testid: "train-own-text" },
  });
  const pairs = h("textarea", {
    id: uid("ctl"),
    rows: "4",
    spellcheck: "false",
    maxlength: String(MAX_OWN),
    placeholder: '{"prompt": "Pip is red. What colour is Pip?", "response": "Red."}',
    dataset: { testid: "train-own-pairs" },
  });
  text.value = st0.own.text ?? "";
  pairs.value = st0.own.pairs ?? "";
  const ownMsg = h("p", { class: "import-msg", role: "alert", dataset: { testid: "train-own-message" } });
  const useOwn = h("button", {
    type: "button",
    text: t("train.data.useOwn"),
    dataset: { testid: "train-use-own" },
    onclick: () => {
      if (!text.value.trim() && !pairs.value.trim()) {
        ownMsg.className = "import-msg bad";
        ownMsg.textContent = t("train.data.ownEmpty");
        return;
      }
      session.setOwn(text.value.trim() ? text.value : null, pairs.value.trim() ? pairs.value : null);
      ownMsg.className = "import-msg";
      ownMsg.textContent = "";
      session.reset(store.get());
    },
  });
  const useBundled = h("button", {
    type: "button",
    text: t("train.data.useBundled"),
    onclick: () => {
      session.setOwn(null, null);
      ownMsg.textContent = "";
      session.reset(store.get());
    },
  });
  const own = h(
    "details",
    { class: "own-data" },
    h("summary", { text: t("train.data.ownTitle") }),
    h("p", { class: "hint", text: t("train.data.ownNote") }),
    h("div", { class: "field" }, h("label", { for: text.id, text: t("train.data.ownText") }), text),
    h("div", { class: "field" }, h("label", { for: pairs.id, text: t("train.data.ownPairs") }), pairs),
    h("div", { class: "button-row" }, useOwn, useBundled),
    ownMsg,
  );
  if (st0.own.text || st0.own.pairs) own.open = true;

  // A sentence → tokens.
  const sentence = h("input", {
    type: "text",
    id: uid("ctl"),
    class: "wide",
    maxlength: "300",
    dataset: { testid: "train-sentence" },
  });
  const tokens = h("ol", {
    class: "tok-strip plain",
    "aria-label": t("train.data.tokensLabel"),
    dataset: { testid: "train-sentence-tokens" },
  });
  const tokensNote = h("p", { class: "hint" });

  // A pair → input_ids and labels.
  const pPrompt = h("input", {
    type: "text",
    id: uid("ctl"),
    class: "wide",
    maxlength: "300",
    dataset: { testid: "train-pair-prompt" },
  });
  const pResponse = h("input", {
    type: "text",
    id: uid("ctl"),
    class: "wide",
    maxlength: "300",
    dataset: { testid: "train-pair-response" },
  });
  const objective = h(
    "select",
    { id: uid("ctl"), dataset: { testid: "train-pair-objective" } },
    ["sft", "sft-unmasked", "clm"].map((v) => h("option", { value: v, text: t(`train.data.pairObj.${v}`) })),
  );
  const pairTable = h("table", { class: "matrix pair-table", dataset: { testid: "train-pair" } });
  const pairNote = h("p", { class: "hint" });

  const el = h(
    "div",
    { class: "train-data" },
    h("div", { class: "field" }, h("label", { for: corpus.id, text: t("train.data.corpus") }), corpus),
    source,
    own,
    h("h3", { text: t("train.data.tokensTitle") }),
    h("div", { class: "field" }, h("label", { for: sentence.id, text: t("train.data.sentence") }), sentence),
    tokens,
    tokensNote,
    h("h3", { text: t("train.data.pairTitle") }),
    h("div", { class: "field" }, h("label", { for: pPrompt.id, text: t("train.data.pairPrompt") }), pPrompt),
    h("div", { class: "field" }, h("label", { for: pResponse.id, text: t("train.data.pairResponse") }), pResponse),
    h("div", { class: "field" }, h("label", { for: objective.id, text: t("train.data.pairObjective") }), objective),
    h("div", { class: "scroll-x", tabindex: "0", role: "region", "aria-label": t("train.data.pairTitle") }, pairTable),
    pairNote,
  );

  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  let ticket = 0;
  const refresh = () => {
    clearTimeout(timer);
    timer = setTimeout(show, 120);
  };
  async function show() {
    const my = ++ticket;
    if (!session.get().config) {
      fill(tokens);
      tokensNote.textContent = t("train.data.waiting");
      fill(pairTable);
      pairNote.textContent = "";
      return;
    }
    try {
      const r = await session.tokenize(sentence.value);
      if (my !== ticket) return;
      fill(
        tokens,
        r.pieces.map((p, i) =>
          h(
            "li",
            { class: `tok plain${p === "<unk>" ? " unk" : ""}` },
            h("span", { class: "piece", text: showPiece(p) }),
            h("span", { class: "tok-id", text: String(r.ids[i]) }),
          ),
        ),
      );
      tokensNote.textContent = t("train.data.tokensNote", {
        n: r.ids.length,
        c: [...sentence.value].length,
        V: session.get().config?.vocab,
      });
    } catch (e) {
      if (my === ticket) tokensNote.textContent = errorMessage(e);
    }
    try {
      const r = await session.encodePair(
        pPrompt.value,
        pResponse.value,
        /** @type {import("../trainer.js").Objective} */ (objective.value),
      );
      if (my !== ticket) return;
      const row = (/** @type {string} */ head, /** @type {HTMLElement[]} */ cells) =>
        h("tr", {}, h("th", { scope: "row", text: head }), cells);
      fill(
        pairTable,
        h("caption", { class: "sr-only", text: t("train.data.pairTitle") }),
        h(
          "tbody",
          {},
          row(
            t("train.data.rowPos"),
            r.pieces.map((_, i) => h("td", { class: i < r.promptLength ? "prompt" : "", text: String(i) })),
          ),
          row(
            t("train.data.rowPiece"),
            r.pieces.map((p, i) => h("td", { class: i < r.promptLength ? "prompt" : "", text: showPiece(p) })),
          ),
          row(
            "input_ids",
            Array.from(r.inputIds, (x, i) => h("td", { class: i < r.promptLength ? "prompt" : "", text: String(x) })),
          ),
          row(
            "labels",
            Array.from(r.labels, (y) => h("td", { class: y === -100 ? "ignored" : "hit", text: String(y) })),
          ),
        ),
      );
      pairNote.textContent = t(objective.value === "sft" ? "train.data.pairNoteSft" : "train.data.pairNoteAll", {
        p: r.promptLength,
        n: r.inputIds.length,
      });
    } catch (e) {
      if (my !== ticket) return;
      fill(pairTable);
      pairNote.textContent = t("train.data.pairRefused") + " " + errorMessage(e);
    }
  }
  const remember = () =>
    Object.assign(demo, {
      sentence: sentence.value,
      prompt: pPrompt.value,
      response: pResponse.value,
      objective: objective.value,
    });
  for (const input of [sentence, pPrompt, pResponse])
    input.addEventListener("input", () => {
      remember();
      refresh();
    });
  objective.addEventListener("change", () => {
    remember();
    refresh();
  });

  let shownModel = -1;
  /** @param {import("../state.js").State} s @param {import("../trainer.js").SessionState} st */
  function update(s, st) {
    corpus.value = s.trainCorpus;
    // Example texts follow the corpus until the learner types their own.
    if (demo.corpus !== s.trainCorpus) {
      const other = demo.corpus;
      if (other === null || demo.sentence === SENTENCE[other]) demo.sentence = SENTENCE[s.trainCorpus];
      if (other === null || (demo.prompt === PAIR[other][0] && demo.response === PAIR[other][1]))
        [demo.prompt, demo.response] = PAIR[s.trainCorpus];
      demo.corpus = s.trainCorpus;
    }
    for (const [input, v] of /** @type {[HTMLInputElement | HTMLSelectElement, string][]} */ ([
      [sentence, demo.sentence],
      [pPrompt, demo.prompt],
      [pResponse, demo.response],
      [objective, demo.objective],
    ])) {
      if (input.value !== v && input.ownerDocument.activeElement !== input) input.value = v;
    }
    const o = st.own;
    source.textContent =
      o.text || o.pairs
        ? t("train.data.sourceOwn", {
            text: o.text
              ? t("train.data.ownTextCount", { n: o.text.length.toLocaleString() })
              : t("train.data.bundledText"),
            pairs: o.pairs
              ? t("train.data.ownPairsCount", { n: o.pairs.split("\n").filter((l) => l.trim()).length })
              : t("train.data.bundledPairs"),
          })
        : t("train.data.sourceBundled", { corpus: t(`train.data.corpus.${s.trainCorpus}`) });
    if (st.phase === "error" && (o.text || o.pairs)) {
      ownMsg.className = "import-msg bad";
      ownMsg.textContent = t("train.data.ownRefused") + " " + st.error;
    }
    if (st.modelId !== shownModel) {
      shownModel = st.modelId;
      show();
    }
  }
  return { el, update };
}
