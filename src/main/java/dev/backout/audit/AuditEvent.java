package dev.backout.audit;

import java.time.Instant;

/**
 * One link of the trail as stored.
 *
 * @param details the canonical JSON of the entry's details
 */
public record AuditEvent(long seq, Instant occurredAt, String actor, String actorRoles, Long incidentId,
		String action, String details, String prevHash, String hash) {
}
