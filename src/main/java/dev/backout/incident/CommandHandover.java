package dev.backout.incident;

import java.time.Clock;
import java.util.Map;
import java.util.Optional;

import dev.backout.approval.Approvals;
import dev.backout.audit.AuditEntry;
import dev.backout.audit.AuditTrail;

import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Handing an incident over: its commander offers command to another person, who takes it by
 * accepting. Until then the commander drives, and an approver of the incident never can.
 */
@Service
public class CommandHandover {

	private final IncidentRepository incidents;

	private final Approvals approvals;

	private final AuditTrail trail;

	private final Clock clock;

	CommandHandover(IncidentRepository incidents, Approvals approvals, AuditTrail trail, Clock clock) {
		this.incidents = incidents;
		this.approvals = approvals;
		this.trail = trail;
		this.clock = clock;
	}

	/** Offers command to {@code to}; it changes hands only when they accept. A new offer replaces the last. */
	@PreAuthorize("hasRole('COMMANDER')")
	@Transactional
	public void offer(long id, String to, Authentication actor) {
		Incident incident = this.incidents.get(id);
		incident.requireCommander(actor.getName());
		if (incident.state().terminal()) {
			throw new IncidentRefused("The incident has ended; there is nothing to command.");
		}
		String successor = (to != null) ? to.trim().toLowerCase() : "";
		if (!successor.matches("[a-z0-9][a-z0-9._@-]{0,39}") || successor.equals(actor.getName())) {
			throw new IncidentRefused("Name the person who takes over (a console user name other than yours).");
		}
		this.incidents.offerCommand(id, successor, actor.getName(), this.clock.instant());
		this.trail.record(AuditEntry.by(actor, "COMMAND_OFFERED", Map.of("to", successor)).forIncident(id));
	}

	/** The person command was offered to takes it: from now on only they drive the incident. */
	@PreAuthorize("hasRole('COMMANDER')")
	@Transactional
	public Incident accept(long id, int version, Authentication actor) {
		Incident incident = this.incidents.get(id);
		if (incident.version() != version) {
			throw new IncidentChanged(id);
		}
		String offeredTo = this.incidents.commandOfferedTo(id)
			.orElseThrow(() -> new IncidentRefused("Nobody offered you command of incident " + id + "."));
		if (!offeredTo.equals(actor.getName())) {
			throw new IncidentRefused("Command of incident " + id + " was offered to " + offeredTo + ", not to you.");
		}
		if (this.approvals.decisions(id).stream().anyMatch((decision) -> decision.approver().equals(actor.getName()))) {
			// An approver who took command would drive what they approved: four eyes would become two.
			throw new IncidentRefused("You decided on this incident's approval, so you cannot take its command: "
					+ "someone who did not approve it must.");
		}
		Incident handedOver = this.incidents.update(incident.withCommander(actor.getName()));
		this.incidents.withdrawCommandOffer(id);
		this.trail.record(AuditEntry.by(actor, "COMMAND_ACCEPTED", Map.of("from", incident.commander(), "to", actor.getName()))
			.forIncident(id));
		return handedOver;
	}

	/** Who command of the incident is offered to, if anyone. */
	public Optional<String> offeredTo(long id) {
		return this.incidents.commandOfferedTo(id);
	}

}
