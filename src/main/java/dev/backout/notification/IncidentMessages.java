package dev.backout.notification;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.backout.incident.IncidentEvent;
import tools.jackson.databind.json.JsonMapper;

/**
 * What an incident event says in each place: the event itself as JSON for systems, a sentence
 * with a link for people in Slack and Teams. Approving stays in the console, behind its gate: the
 * link leads to the review page, never to an action.
 */
final class IncidentMessages {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final String consoleUrl;

	IncidentMessages(String consoleUrl) {
		this.consoleUrl = consoleUrl;
	}

	/** The review page while an approval is asked for, the incident page otherwise. */
	String link(IncidentEvent event) {
		return this.consoleUrl + (asksForApproval(event) ? "/approvals/" : "/incidents/") + event.incidentId();
	}

	static boolean asksForApproval(IncidentEvent event) {
		return event.type().equals("APPROVAL_REQUESTED")
				|| (event.type().equals("DEADLINE_NEAR") || event.type().equals("OVERDUE")) && event.state().equals("AWAITING_APPROVAL");
	}

	String body(WebhookDelivery.Format format, IncidentEvent event) {
		return switch (format) {
			case STANDARD -> standard(event);
			case SLACK -> slack(event);
			case TEAMS -> teams(event);
		};
	}

	private String standard(IncidentEvent event) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("id", event.id());
		body.put("type", event.type());
		body.put("incidentId", event.incidentId());
		body.put("runbookId", event.runbookId());
		body.put("state", event.state());
		body.put("detail", event.detail());
		body.put("occurredAt", event.occurredAt().toString());
		body.put("link", link(event));
		return JSON.writeValueAsString(body);
	}

	String sentence(IncidentEvent event) {
		String what = switch (event.type()) {
			case "APPROVAL_REQUESTED" -> "needs approval";
			case "DEADLINE_NEAR" -> "needs a decision soon";
			case "OVERDUE" -> "passed its decision deadline";
			case "APPROVED" -> "was approved";
			case "REJECTED" -> "was rejected";
			case "HALTED" -> "halted";
			case "COMPLETED" -> "is complete";
			default -> event.type().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
		};
		String detail = (event.detail() == null || event.detail().isBlank()) ? "" : ": " + event.detail();
		return "Incident " + event.incidentId() + " (" + event.runbookId() + ") " + what + detail;
	}

	private String slack(IncidentEvent event) {
		String text = slackEscaped(sentence(event)) + " <" + link(event) + "|"
				+ (asksForApproval(event) ? "Review it in Backout" : "Open in Backout") + ">";
		return JSON.writeValueAsString(Map.of("text", text));
	}

	private String teams(IncidentEvent event) {
		Map<String, Object> card = new LinkedHashMap<>();
		card.put("$schema", "http://adaptivecards.io/schemas/adaptive-card.json");
		card.put("type", "AdaptiveCard");
		card.put("version", "1.4");
		card.put("body", List.of(Map.of("type", "TextBlock", "text", sentence(event), "wrap", true)));
		card.put("actions", List.of(Map.of("type", "Action.OpenUrl", "title",
				asksForApproval(event) ? "Review it in Backout" : "Open in Backout", "url", link(event))));
		return JSON.writeValueAsString(Map.of("type", "message", "attachments",
				List.of(Map.of("contentType", "application/vnd.microsoft.card.adaptive", "content", card))));
	}

	/** Slack's mrkdwn reads &, < and > as markup: a runbook id or a comment must not become a link. */
	private static String slackEscaped(String text) {
		return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
	}

}
