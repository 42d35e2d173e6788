// The one place state lives: a plain object replaced on every change; views subscribe and re-render.
import { checkState } from "./state.js";

/** @typedef {import("./state.js").State} State */
/** @typedef {(state: State, prev: State) => void} Subscriber */
/** @typedef {ReturnType<typeof createStore>} Store */

/** @param {State} initial */
export function createStore(initial) {
  let state = initial;
  /** @type {Set<Subscriber>} */
  const subscribers = new Set();
  return {
    get: () => state,
    /**
     * Shallow patch; callers pass whole arrays (never mutate the old ones), so `prev` stays intact.
     * @param {Partial<State>} patch
     */
    set(patch) {
      const next = { ...state, ...patch };
      const problem = checkState(next);
      if (problem) throw new Error(`internal: state invalid after update (${problem})`);
      const prev = state;
      state = next;
      for (const fn of subscribers) fn(state, prev);
    },
    /** @param {State} next */
    replace(next) {
      const prev = state;
      state = next;
      for (const fn of subscribers) fn(state, prev);
    },
    /** @param {Subscriber} fn */
    subscribe(fn) {
      subscribers.add(fn);
      return () => subscribers.delete(fn);
    },
  };
}
