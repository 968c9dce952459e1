package dev.backout.incident;

import java.time.Instant;
import java.util.UUID;

/**
 * Something people following an incident want to hear about (e.g. in a chat channel).
 *
 * @param id unique, and the same on every delivery of this event (receivers drop repeats by it)
 * @param type APPROVAL_REQUESTED, DEADLINE_NEAR, OVERDUE (the decision deadline passed before approval),
 * APPROVED, REJECTED, HALTED or COMPLETED
 */
public record IncidentEvent(String id, String type, long incidentId, String runbookId, String state, String commander,
		String detail, Instant occurredAt) {

	static IncidentEvent of(String type, Incident incident, String detail, Instant at) {
		return new IncidentEvent("evt_" + UUID.randomUUID(), type, incident.id(), incident.runbookId(), incident.state().name(),
				incident.commander(), detail, at);
	}

}
