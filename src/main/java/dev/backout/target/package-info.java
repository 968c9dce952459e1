/**
 * Target databases: the registry (secrets encrypted at rest with AES-GCM), connections with
 * safe session settings, "test connection", and catalog snapshots with their diff.
 * Public face: {@link dev.backout.target.Targets}, {@link dev.backout.target.Target},
 * {@link dev.backout.target.SchemaSnapshots}.
 */
package dev.backout.target;
