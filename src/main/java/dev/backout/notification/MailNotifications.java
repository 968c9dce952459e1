package dev.backout.notification;

import java.util.ArrayList;
import java.util.List;

import dev.backout.approval.ApprovalRequest;
import dev.backout.approval.Approvals;
import dev.backout.incident.IncidentEvent;
import dev.backout.security.Contacts;
import dev.backout.security.Role;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.stereotype.Component;

/**
 * Who is written to, and what: everyone who may approve when approval is requested and when its
 * deadline nears or passes — never the commander, unless the runbook lets the commander approve —
 * and the commander when the incident is approved, rejected or halts. One stored
 * {@link MailDelivery} per person, retried like a webhook.
 */
@Component
@ConditionalOnProperty("spring.mail.host")
class MailNotifications {

	private final Approvals approvals;

	private final Contacts contacts;

	private final ApplicationEventPublisher deliveries;

	private final IncidentMessages messages;

	MailNotifications(Approvals approvals, Contacts contacts, ApplicationEventPublisher deliveries, WebhookProperties links) {
		this.approvals = approvals;
		this.contacts = contacts;
		this.deliveries = deliveries;
		this.messages = new IncidentMessages(links.consoleUrl());
	}

	@ApplicationModuleListener
	void on(IncidentEvent event) {
		List<String> to = switch (event.type()) {
			case "APPROVAL_REQUESTED", "DEADLINE_NEAR", "OVERDUE" -> approvers(event);
			case "APPROVED", "REJECTED", "HALTED" -> this.contacts.addressOf(event.commander()).map(List::of).orElse(List.of());
			default -> List.of();
		};
		String subject = "[Backout] " + this.messages.sentence(event).replaceFirst(": .*$", "");
		String text = this.messages.sentence(event) + "\n\n"
				+ (IncidentMessages.asksForApproval(event) ? "Review it and decide: " : "Open it: ")
				+ this.messages.link(event) + "\n\nBackout writes to you because of your role in this incident."
				+ " Approving happens in the console, never by answering this mail.\n";
		for (String address : to) {
			this.deliveries.publishEvent(new MailDelivery(event.id(), event.incidentId(), address, subject, text));
		}
	}

	/**
	 * The roles the gate accepts now (the on-call role once the team lead is reported unreachable);
	 * before approval is requested, the commander is told the deadline instead.
	 */
	private List<String> approvers(IncidentEvent event) {
		return this.approvals.find(event.incidentId()).filter(ApprovalRequest::open)
			.map((request) -> {
				List<Role> roles = new ArrayList<>(request.approvers());
				if (request.leadUnreachableReason() != null && request.fallbackRole() != null) {
					roles.add(request.fallbackRole());
				}
				return this.contacts.addressesOf(roles, request.commanderMayApprove() ? null : request.commander());
			})
			.orElseGet(() -> event.type().equals("APPROVAL_REQUESTED") ? List.of()
					: this.contacts.addressOf(event.commander()).map(List::of).orElse(List.of()));
	}

}
