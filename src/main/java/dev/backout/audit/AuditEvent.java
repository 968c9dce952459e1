package dev.backout.audit;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import tools.jackson.databind.json.JsonMapper;

/**
 * One link of the trail as stored.
 *
 * @param details the canonical JSON of the entry's details
 */
public record AuditEvent(long seq, Instant occurredAt, String actor, String actorRoles, Long incidentId,
		String action, String details, String prevHash, String hash) {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/** The details as key and value, for display (values that are lists or objects stay JSON). */
	public Map<String, String> detailsAsMap() {
		Map<String, String> shown = new LinkedHashMap<>();
		JSON.readTree(this.details).properties().forEach((entry) -> shown.put(entry.getKey(),
				entry.getValue().isValueNode() ? entry.getValue().asString() : entry.getValue().toString()));
		return shown;
	}

	/** The action in words: INCIDENT_OPENED → "Incident opened". */
	public String actionLabel() {
		String words = this.action.replace('_', ' ').toLowerCase();
		return Character.toUpperCase(words.charAt(0)) + words.substring(1);
	}

}
