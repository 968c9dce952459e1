package dev.backout.incident;

import java.time.Clock;
import java.util.Map;

import dev.backout.audit.AuditEntry;
import dev.backout.audit.AuditTrail;

import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Marks incidents whose decision deadline passed before approval: visible on every page and in
 * the trail, never approved by it.
 */
@Component
public class OverdueIncidents {

	private final IncidentRepository incidents;

	private final AuditTrail trail;

	private final Clock clock;

	OverdueIncidents(IncidentRepository incidents, AuditTrail trail, Clock clock) {
		this.incidents = incidents;
		this.trail = trail;
		this.clock = clock;
	}

	@Scheduled(fixedDelayString = "${backout.incidents.overdue-check:30s}")
	@Transactional
	public void mark() {
		for (long id : this.incidents.newlyOverdue(this.clock.instant())) {
			this.trail.record(AuditEntry.bySystem("INCIDENT_OVERDUE", Map.of("deadline", "passed before approval")).forIncident(id));
		}
	}

}
