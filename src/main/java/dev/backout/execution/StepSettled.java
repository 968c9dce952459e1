package dev.backout.execution;

/**
 * An attempt that ended without its executor recording the outcome (a lost connection, a dead
 * console, a person's decision) has been settled; or, with {@code state} STARTED, it was found
 * interrupted and waits for its target to answer ("being settled").
 */
public record StepSettled(long incidentId, long runId, String stepId, StepState state) {
}
