package dev.backout.approval;

/**
 * The approvals an incident needs are complete for the plan it will run.
 */
public record IncidentApproved(long incidentId, String approvalKey) {
}
