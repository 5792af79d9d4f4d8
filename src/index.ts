/**
 * `wbflow`: Metaflow-style flows for TypeScript notebooks.
 * Each layer adds its public exports below (one `export ... from` line per module).
 */
