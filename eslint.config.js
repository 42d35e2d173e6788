// ESLint for losslab's JavaScript: @eslint/js's recommended rules, with the globals each part runs
// under. Formatting is prettier's (npm run format:check); types are tsc's (npm run check:types).
import js from "@eslint/js";
import globals from "globals";

export default [
  { ignores: ["node_modules/", "target/", ".tools/", "pkg/", "www/pkg/", "www/vendor/", "bench/out/", "artifacts/"] },
  js.configs.recommended,
  {
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      // Unused values are bugs or leftovers; a leading underscore marks one kept on purpose.
      "no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "all", caughtErrorsIgnorePattern: "^_" },
      ],
    },
  },
  // The front end and the package's hand-written modules run in browsers (the workers in workers).
  { files: ["www/**/*.js", "js/**/*.js"], languageOptions: { globals: globals.browser } },
  { files: ["js/**/worker.js"], languageOptions: { globals: globals.worker } },
  // Node scripts whose functions also run in pages (page.evaluate) or that are pages themselves.
  {
    files: ["**/*.mjs", "eslint.config.js", "examples/**/*.js"],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
];
