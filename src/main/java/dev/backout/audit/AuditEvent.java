package dev.backout.audit;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import tools.jackson.databind.json.JsonMapper;

/**
 * One link of the trail as stored.
 *
 * @param details the canonical JSON of the entry's details
 * @param mac the console's proof of authorship (see {@link TrailKey}); null on events older than proofs
 */
public record AuditEvent(long seq, Instant occurredAt, String actor, String actorRoles, Long incidentId,
		String action, String details, String prevHash, String hash, String mac) {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/** This event with its details in the canonical form its hash covers (keys sorted, compact). */
	AuditEvent withCanonicalDetails() {
		return (this.details == null) ? this : new AuditEvent(this.seq, this.occurredAt, this.actor, this.actorRoles,
				this.incidentId, this.action, AuditHashing.canonicalDetailsJson(this.details), this.prevHash, this.hash, this.mac);
	}

	/** A link of an incident export that stands for another incident's event: position and hashes, no content. */
	public boolean contentLeftOut() {
		return this.action == null;
	}

	/** The details as key and value, for display (values that are lists or objects stay JSON). */
	public Map<String, String> detailsAsMap() {
		Map<String, String> shown = new LinkedHashMap<>();
		if (this.details == null) {
			return shown;
		}
		JSON.readTree(this.details).properties().forEach((entry) -> shown.put(entry.getKey(),
				entry.getValue().isValueNode() ? entry.getValue().asString() : entry.getValue().toString()));
		return shown;
	}

	/** The event as a sentence: who did what, with what mattered. */
	public String sentence() {
		return sentence(detailsAsMap());
	}

	/** The sentence from details already read by {@link #detailsAsMap()}: a page showing both reads them once. */
	public String sentence(Map<String, String> details) {
		return Sentence.of(this, details);
	}

	/** The action in words: INCIDENT_OPENED → "Incident opened". */
	public String actionLabel() {
		String words = this.action.replace('_', ' ').toLowerCase();
		return Character.toUpperCase(words.charAt(0)) + words.substring(1);
	}

}
