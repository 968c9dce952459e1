/**
 * The guided incident: one run of one runbook version against one target — decision walk,
 * pre-checks, approval request, step-by-step execution, verification, checklist — as a state
 * machine whose every transition is audited in the same transaction.
 */
package dev.backout.incident;
