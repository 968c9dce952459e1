package dev.backout.incident;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import dev.backout.audit.AuditEntry;
import dev.backout.audit.AuditTrail;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Marks incidents whose decision deadline passed before approval: visible on every page and in
 * the trail, never approved by it. Announces, once each, a deadline that nears and one that passed.
 */
@Component
public class OverdueIncidents {

	private final IncidentRepository incidents;

	private final AuditTrail trail;

	private final Clock clock;

	private final ApplicationEventPublisher events;

	private final Duration warning;

	OverdueIncidents(IncidentRepository incidents, AuditTrail trail, Clock clock, ApplicationEventPublisher events,
			@Value("${backout.incidents.deadline-warning:10m}") Duration warning) {
		this.incidents = incidents;
		this.trail = trail;
		this.clock = clock;
		this.events = events;
		this.warning = warning;
	}

	@Scheduled(fixedDelayString = "${backout.incidents.overdue-check:30s}")
	@Transactional
	public void mark() {
		Instant now = this.clock.instant();
		for (long id : this.incidents.newlyOverdue(now)) {
			this.trail.record(AuditEntry.bySystem("INCIDENT_OVERDUE", Map.of("deadline", "passed before approval")).forIncident(id));
			this.events.publishEvent(IncidentEvent.of("OVERDUE", this.incidents.get(id), "the decision deadline passed before approval", now));
		}
		for (long id : this.incidents.newlyNearingDeadline(now, this.warning)) {
			Incident incident = this.incidents.get(id);
			this.events.publishEvent(IncidentEvent.of("DEADLINE_NEAR", incident, "the decision deadline is "
					+ java.time.format.DateTimeFormatter.ofPattern("HH:mm 'UTC'").withZone(java.time.ZoneOffset.UTC).format(incident.deadlineAt()),
					now));
		}
	}

}
