package dev.backout.incident;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

import dev.backout.runbook.Outcome;

/**
 * One run of one runbook version against one target.
 *
 * @param version optimistic version: every change names the version it was made on, so two tabs
 * or two consoles cannot both apply theirs
 * @param planHash the hash of the plan the decision selected (null before the decision)
 * @param skippedSteps steps the commander asked to skip (each needs a fresh approval)
 * @param databaseKey the database the plan runs on, as its server names it (set when approval is requested)
 */
public record Incident(long id, String runbookId, String runbookHash, String runbookTitle, long targetId,
		String commander, String symptom, Severity severity, Instant detectedAt, Instant openedAt, Instant deadlineAt,
		boolean overdue, IncidentState state, List<Answer> answers, Outcome outcome, List<String> partialSteps,
		String decisionReason, String planHash, List<String> skippedSteps, String leadUnreachableReason, String summary,
		Instant closedAt, String databaseKey, int version) {

	public Incident {
		answers = List.copyOf(answers);
		partialSteps = List.copyOf(partialSteps);
		skippedSteps = List.copyOf(skippedSteps);
	}

	Incident withState(IncidentState next) {
		return new Incident(id, runbookId, runbookHash, runbookTitle, targetId, commander, symptom, severity, detectedAt,
				openedAt, deadlineAt, overdue, next, answers, outcome, partialSteps, decisionReason, planHash, skippedSteps,
				leadUnreachableReason, summary, closedAt, databaseKey, version);
	}

	Incident withAnswers(List<Answer> given) {
		return new Incident(id, runbookId, runbookHash, runbookTitle, targetId, commander, symptom, severity, detectedAt,
				openedAt, deadlineAt, overdue, state, given, outcome, partialSteps, decisionReason, planHash, skippedSteps,
				leadUnreachableReason, summary, closedAt, databaseKey, version);
	}

	Incident withDecision(Outcome decided, List<String> partial, String reason, String plan, IncidentState next) {
		return new Incident(id, runbookId, runbookHash, runbookTitle, targetId, commander, symptom, severity, detectedAt,
				openedAt, deadlineAt, overdue, next, answers, decided, partial, reason, plan, skippedSteps,
				leadUnreachableReason, summary, closedAt, databaseKey, version);
	}

	Incident withRunbookVersion(String hash, String plan, IncidentState next) {
		return new Incident(id, runbookId, hash, runbookTitle, targetId, commander, symptom, severity, detectedAt, openedAt,
				deadlineAt, overdue, next, answers, outcome, partialSteps, decisionReason, plan, List.of(),
				leadUnreachableReason, summary, closedAt, databaseKey, version);
	}

	Incident withSkipped(List<String> skipped, IncidentState next) {
		return new Incident(id, runbookId, runbookHash, runbookTitle, targetId, commander, symptom, severity, detectedAt,
				openedAt, deadlineAt, overdue, next, answers, outcome, partialSteps, decisionReason, planHash, skipped,
				leadUnreachableReason, summary, closedAt, databaseKey, version);
	}

	Incident withLeadUnreachable(String reason) {
		return new Incident(id, runbookId, runbookHash, runbookTitle, targetId, commander, symptom, severity, detectedAt,
				openedAt, deadlineAt, overdue, state, answers, outcome, partialSteps, decisionReason, planHash, skippedSteps,
				reason, summary, closedAt, databaseKey, version);
	}

	Incident withCommander(String successor) {
		return new Incident(id, runbookId, runbookHash, runbookTitle, targetId, successor, symptom, severity, detectedAt,
				openedAt, deadlineAt, overdue, state, answers, outcome, partialSteps, decisionReason, planHash, skippedSteps,
				leadUnreachableReason, summary, closedAt, databaseKey, version);
	}

	Incident withDatabaseKey(String key) {
		return new Incident(id, runbookId, runbookHash, runbookTitle, targetId, commander, symptom, severity, detectedAt,
				openedAt, deadlineAt, overdue, state, answers, outcome, partialSteps, decisionReason, planHash, skippedSteps,
				leadUnreachableReason, summary, closedAt, key, version);
	}

	Incident closed(IncidentState end, String text, Instant at) {
		return new Incident(id, runbookId, runbookHash, runbookTitle, targetId, commander, symptom, severity, detectedAt,
				openedAt, deadlineAt, overdue, end, answers, outcome, partialSteps, decisionReason, planHash, skippedSteps,
				leadUnreachableReason, text, at, databaseKey, version);
	}

	/**
	 * A change of state as the aggregate allows it: the incident after it, and the trail event
	 * that records it. Each transition below guards itself and refuses in plain words.
	 */
	record Transition(Incident incident, String event) {
	}

	/** Only the commander drives the incident; anyone else is told whom to ask. */
	void requireCommander(String actor) {
		if (!this.commander.equals(actor)) {
			throw new IncidentRefused("Only the incident's commander, " + this.commander + ", drives incident " + this.id
					+ ": ask them to hand command over to you.");
		}
	}

	/** A rejected plan goes back to deciding, its answers kept, to be revised and put again. */
	Transition revise() {
		requireState(IncidentState.REJECTED, "Only a rejected plan is revised.");
		return new Transition(withState(IncidentState.TRIAGE), "INCIDENT_REVISED");
	}

	/** The approvers rejected the plan: nothing runs. Only a request still awaiting approval is rejected. */
	java.util.Optional<Transition> reject() {
		return (this.state == IncidentState.AWAITING_APPROVAL)
				? java.util.Optional.of(new Transition(withState(IncidentState.REJECTED), "INCIDENT_REJECTED"))
				: java.util.Optional.empty();
	}

	/** Ends the incident without completing it, for a stated reason; never while a step may be running. */
	Transition abort(String reason, Instant at) {
		if (!this.state.abortable()) {
			throw new IncidentRefused("An incident that is " + this.state.label().toLowerCase() + " cannot be aborted"
					+ (this.state.executing() ? ": halt it first (cancel the running step)." : "."));
		}
		if (reason == null || reason.isBlank()) {
			throw new IncidentRefused("Say why the incident is aborted.");
		}
		return new Transition(closed(IncidentState.ABORTED, reason.trim(), at), "INCIDENT_ABORTED");
	}

	/**
	 * The plan moved under the incident (its target changed): pinned to the new plan, an incident
	 * awaiting approval goes back to its pre-checks, one approved or executing halts until the new
	 * plan is approved; before the pre-checks, nothing was approved and it stays where it is.
	 */
	Incident replanned(String planHash) {
		IncidentState next = switch (this.state) {
			case TRIAGE, PRECHECK -> this.state;
			case AWAITING_APPROVAL -> IncidentState.PRECHECK;
			default -> IncidentState.HALTED;
		};
		return withRunbookVersion(this.runbookHash, planHash, next);
	}

	void requireState(IncidentState expected, String otherwise) {
		if (this.state != expected) {
			throw new IncidentRefused(otherwise + " (The incident is " + this.state.label().toLowerCase() + ".)");
		}
	}

	/** The deadline passed before a decision was confirmed and approved. */
	public boolean pastDeadline(Instant now) {
		return this.deadlineAt != null && now.isAfter(this.deadlineAt)
				&& (this.state == IncidentState.TRIAGE || this.state == IncidentState.PRECHECK
						|| this.state == IncidentState.AWAITING_APPROVAL);
	}

	/** The key approvals bind to: the plan hash, plus the steps asked to be skipped. */
	public String approvalKey() {
		String material = this.planHash + "|skip:" + String.join(",", this.skippedSteps);
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(material.getBytes(StandardCharsets.UTF_8)));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
