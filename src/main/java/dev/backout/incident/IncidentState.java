package dev.backout.incident;

import java.util.EnumSet;
import java.util.Set;

/**
 * Where an incident is. Terminal states are COMPLETED, CLOSED, REJECTED and ABORTED.
 */
public enum IncidentState {

	TRIAGE("Deciding"), PRECHECK("Pre-checks"), AWAITING_APPROVAL("Awaiting approval"), APPROVED("Approved"),
	EXECUTING("Executing"), HALTED("Halted"), VERIFYING("Verifying"), COMPLETED("Completed"), CLOSED("Closed"),
	REJECTED("Rejected"), ABORTED("Aborted");

	private static final Set<IncidentState> ABORTABLE = EnumSet.of(TRIAGE, PRECHECK, AWAITING_APPROVAL, APPROVED, HALTED,
			REJECTED);

	private final String label;

	IncidentState(String label) {
		this.label = label;
	}

	public String label() {
		return this.label;
	}

	public boolean terminal() {
		return this == COMPLETED || this == CLOSED || this == ABORTED;
	}

	public boolean abortable() {
		return ABORTABLE.contains(this);
	}

	/** Before any step ran: the incident may move to the active runbook version (approvals then start over). */
	public boolean runbookSwitchable() {
		return this == TRIAGE || this == PRECHECK || this == AWAITING_APPROVAL || this == APPROVED;
	}

	/** While approval is pending: whether the team lead can be reached decides who may approve. */
	public boolean awaitsApprovers() {
		return this == PRECHECK || this == AWAITING_APPROVAL;
	}

	/** The decision deadline still counts down: nothing has run yet, and the incident has not ended. */
	public boolean decisionClockRuns() {
		return this == TRIAGE || this == PRECHECK || this == AWAITING_APPROVAL || this == REJECTED;
	}

	/** The plan's steps are shown as a list to run (after the pre-checks). */
	public boolean showsSteps() {
		return this != TRIAGE && this != PRECHECK;
	}

	/** States in which steps may be sent to the target (after approval). */
	public boolean executing() {
		return this == APPROVED || this == EXECUTING || this == VERIFYING;
	}

}
