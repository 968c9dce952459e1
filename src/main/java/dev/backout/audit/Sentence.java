package dev.backout.audit;

import java.util.Map;

/**
 * A trail event as a sentence an auditor reads: who did what, with the detail that matters
 * ("lead approved the plan as Team lead: “Checked the backup”"). The full details, SQL included,
 * stay one click away; an action this class does not know reads as its label.
 */
public final class Sentence {

	private Sentence() {
	}

	static String of(AuditEvent event, Map<String, String> d) {
		if (event.contentLeftOut()) {
			return "(another incident's event)";
		}
		String who = event.actor();
		String step = quoted(d.get("step"));
		String what = switch (event.action()) {
			case "INCIDENT_OPENED" -> "opened the incident on runbook " + d.getOrDefault("runbook", "?");
			case "DECISION_ANSWERED" -> "answered “" + d.get("question") + "”: " + d.get("answer")
					+ (d.containsKey("fact") ? " (" + d.get("fact") + ")" : "")
					+ ("true".equals(d.get("contradicted")) ? " — against the fact" : "");
			case "DECISION_CONFIRMED" -> "confirmed the decision: " + label(d.get("outcome")) + reason(d);
			case "INCIDENT_CLOSED" -> "closed the incident: " + label(d.get("outcome")) + reason(d);
			case "TEAM_LEAD_UNREACHABLE" -> "recorded the team lead unreachable" + reason(d);
			case "INCIDENT_AWAITING_APPROVAL", "APPROVAL_REQUESTED" -> "requested approval of the plan";
			case "APPROVAL_GIVEN" -> "approved the plan as " + label(d.get("role")) + comment(d);
			case "APPROVAL_REJECTED" -> "rejected the plan as " + label(d.get("role")) + comment(d);
			case "APPROVAL_REFUSED" -> "was refused an approval" + reason(d);
			case "APPROVAL_REQUEST_WITHDRAWN" -> "withdrew the approval request" + reason(d);
			case "INCIDENT_APPROVED" -> "the approvals are complete: the incident may execute";
			case "INCIDENT_REJECTED" -> "the plan was rejected by " + d.getOrDefault("by", "an approver");
			case "INCIDENT_REVISED" -> "revised the rejected plan" + (d.containsKey("rejection") ? " (rejection: “" + d.get("rejection") + "”)" : "");
			case "INCIDENT_EXECUTING" -> "started executing the plan";
			case "INCIDENT_VERIFYING" -> "began verifying: the plan's changes are done";
			case "INCIDENT_RESUMED" -> "resumed the incident";
			case "INCIDENT_HALTED" -> "the incident halted" + reason(d);
			case "INCIDENT_ABORTED" -> "aborted the incident" + reason(d);
			case "INCIDENT_COMPLETED" -> "closed the incident as completed" + (d.containsKey("summary") ? ": “" + d.get("summary") + "”" : "");
			case "INCIDENT_OVERDUE" -> "the decision deadline passed before approval";
			case "STEP_STARTED" -> "sent " + step + (d.containsKey("typedConfirmation") ? " after typing " + d.get("typedConfirmation") : "")
					+ attempt(d);
			case "STEP_SUCCEEDED" -> step + " succeeded" + result(d);
			case "STEP_TICKED" -> "ticked " + step + (d.containsKey("inputs") ? ": " + d.get("inputs") : "");
			case "STEP_FAILED" -> step + " failed" + (d.containsKey("sqlstate") ? " (" + d.get("sqlstate") + ")" : "")
					+ (d.containsKey("error") ? ": " + firstLine(d.get("error")) : "");
			case "STEP_UNKNOWN" -> "the outcome of " + step + " is not known" + (d.containsKey("error") ? ": " + firstLine(d.get("error")) : "");
			case "STEP_SKIPPED" -> step + " was skipped" + reason(d);
			case "STEP_SETTLED" -> "settled " + step + (d.containsKey("applied") ? ("true".equals(d.get("applied")) ? " as applied" : " as not applied") : "")
					+ reason(d);
			case "STEP_ALREADY_APPLIED" -> step + " was already applied on the target: nothing was sent";
			case "STEP_REFUSED" -> "was refused " + step + reason(d);
			case "STEP_CANCEL_REQUESTED" -> "asked to cancel the running statement";
			case "STEP_OUTCOME_PENDING" -> "the connection to the target was lost during " + step + ": its outcome is being settled";
			case "SKIP_REQUESTED" -> "asked to skip " + step + reason(d);
			case "VERIFICATION_EVIDENCE" -> "ran the verification checks read-only";
			case "COMMAND_OFFERED" -> "offered command to " + d.get("to");
			case "COMMAND_ACCEPTED" -> "took command from " + d.get("from");
			case "RUNBOOK_VERSION_SWITCHED" -> "switched to the active runbook version";
			case "TARGET_CHANGED" -> "the target moved: the plan changed and approvals were withdrawn";
			case "TRAIL_CHECKPOINT_WRITTEN" -> "wrote trail checkpoint " + d.getOrDefault("number", "");
			case "LOGIN_SUCCEEDED" -> "signed in";
			case "LOGIN_REFUSED" -> "was refused sign-in" + reason(d);
			case "LOGIN_FAILED" -> "failed to sign in" + failures(d);
			case "LOGIN_THROTTLED" -> "the sign-ins of " + d.get("who") + " were slowed down: " + d.get("failuresWithinAMinute")
					+ " failures within a minute";
			case "REAUTHENTICATION_FAILED" -> "typed a wrong password to confirm an action" + failures(d);
			case "PLAN_REHEARSED" -> "rehearsed the plan on " + d.get("target") + ("true".equals(d.get("passed")) ? ": passed" : ": failed");
			case "TARGET_REGISTERED" -> "registered target " + d.get("target") + " (" + label(d.get("environment")) + ")";
			case "TARGET_UPDATED" -> "changed target " + d.get("target");
			case "TARGET_UPDATED_WITH_NEW_PASSWORD" -> "changed target " + d.get("target") + " and its password";
			case "TARGET_REMOVED" -> "removed target " + d.get("target");
			case "TARGET_CONNECTION_TESTED" -> "tested the connection to " + d.get("target")
					+ ("true".equals(d.get("reachable")) ? ": reachable" : ": not reachable");
			case "DEMO_TARGET_BUILT" -> "the demo target was built";
			case "DEMO_TARGET_RESET" -> "reset the demo target";
			case "RUNBOOKS_RELOADED" -> "reloaded the runbooks: " + d.get("loaded") + " loaded, " + d.get("newVersions")
					+ " new versions, " + d.get("errors") + " with errors";
			case "RUNBOOK_VERSION_ADDED" -> "added a version of runbook " + d.get("runbook");
			case "USER_CREATED" -> "created user " + d.get("user");
			case "USER_ENABLED" -> "enabled user " + d.get("user");
			case "USER_DISABLED" -> "disabled user " + d.get("user");
			case "USER_UNLOCKED" -> "unlocked user " + d.get("user");
			case "ROLE_GRANTED" -> "gave " + d.get("user") + " the role " + label(d.get("role"));
			case "ROLE_REVOKED" -> "took the role " + label(d.get("role")) + " from " + d.get("user");
			case "PASSWORD_RESET" -> "reset the password of " + d.get("user");
			case "EMAIL_CHANGED" -> "changed their e-mail address";
			case "API_TOKEN_CREATED" -> "created API token " + quoted(d.get("token"));
			case "API_TOKEN_REVOKED" -> "revoked API token " + quoted(d.get("token"));
			default -> event.actionLabel().toLowerCase();
		};
		return (what.startsWith("the ") || what.startsWith("“") || what.startsWith(step) && !step.isEmpty())
				? capitalize(what) + ((who != null && !"system".equals(who) && !what.startsWith("the ")) ? " (" + who + ")" : "")
				: who + " " + what;
	}

	private static String quoted(String step) {
		return (step != null) ? "“" + step + "”" : "";
	}

	private static String reason(Map<String, String> d) {
		return d.containsKey("reason") ? ": “" + d.get("reason") + "”" : "";
	}

	private static String comment(Map<String, String> d) {
		return d.containsKey("comment") ? ": “" + d.get("comment") + "”" : "";
	}

	private static String failures(Map<String, String> d) {
		return "false".equals(d.get("knownUser")) ? " (no such user)"
				: d.containsKey("failedLogins") ? " (" + d.get("failedLogins") + " in a row)" : "";
	}

	private static String attempt(Map<String, String> d) {
		return (d.containsKey("attempt") && !"1".equals(d.get("attempt"))) ? " (attempt " + d.get("attempt") + ")" : "";
	}

	private static String result(Map<String, String> d) {
		if (d.containsKey("checkValue")) {
			return ": found " + d.get("checkValue") + ("false".equals(d.get("checkPassed")) ? ", not as expected" : "");
		}
		return d.containsKey("rowsAffected") && !"0".equals(d.get("rowsAffected")) ? ", " + d.get("rowsAffected") + " rows" : "";
	}

	private static String label(String code) {
		if (code == null) {
			return "?";
		}
		if ("CTO".equals(code)) {
			// The one role whose name is an abbreviation: "as CTO", not "as Cto".
			return code;
		}
		String words = code.replace('_', ' ').toLowerCase();
		return Character.toUpperCase(words.charAt(0)) + words.substring(1);
	}

	private static String firstLine(String text) {
		return text.lines().findFirst().orElse(text);
	}

	private static String capitalize(String text) {
		return text.isEmpty() ? text : Character.toUpperCase(text.charAt(0)) + text.substring(1);
	}

}
