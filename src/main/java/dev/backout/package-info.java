/**
 * Backout's application package. Each direct subpackage is one feature module (runbook,
 * target, incident, approval, execution, audit, security, system); modules talk through
 * their public types only, which {@code ModularityTests} verifies.
 */
package dev.backout;
