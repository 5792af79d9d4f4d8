/** Re-exports for lint tests. */
export { LintError } from "../../src/flow/errors.js";
export { LINT_RULES as LINT_RULES_FOR_TEST } from "../../src/flow/graph/lint.js";
