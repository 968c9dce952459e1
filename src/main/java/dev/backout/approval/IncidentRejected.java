package dev.backout.approval;

/**
 * An approver rejected the incident's plan.
 */
public record IncidentRejected(long incidentId, String approver, String comment) {
}
