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

	/** States in which steps may be sent to the target (after approval). */
	public boolean executing() {
		return this == APPROVED || this == EXECUTING || this == VERIFYING;
	}

}
