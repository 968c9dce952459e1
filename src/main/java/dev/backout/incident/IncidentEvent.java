package dev.backout.incident;

import java.time.Instant;

/**
 * Something people following an incident want to hear about (e.g. in a chat channel).
 *
 * @param type APPROVAL_REQUESTED, APPROVED, REJECTED, HALTED or COMPLETED
 */
public record IncidentEvent(String type, long incidentId, String runbookId, String state, String detail,
		Instant occurredAt) {
}
