/**
 * Runbooks as code: the rollback plan of one migration, kept as a YAML file, validated against
 * a JSON Schema and semantic rules, versioned by the SHA-256 of its canonical content.
 * Public face: the model records ({@link dev.backout.runbook.Runbook} and its parts),
 * {@link dev.backout.runbook.RunbookCatalog} and the SQL lexer {@link dev.backout.runbook.SqlScript}.
 */
package dev.backout.runbook;
