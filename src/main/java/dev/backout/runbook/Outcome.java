package dev.backout.runbook;

/**
 * Where a decision ends.
 */
public enum Outcome {

	ROLLBACK("Roll back"), PARTIAL("Partial rollback"), ROLLBACK_AND_RESTORE("Roll back and restore"),
	FIX_FORWARD("Fix forward"), CONTINUE("Continue");

	private final String label;

	Outcome(String label) {
		this.label = label;
	}

	public String label() {
		return this.label;
	}

	/** Whether this outcome runs steps against the target (otherwise it closes the incident). */
	public boolean executes() {
		return this == ROLLBACK || this == PARTIAL || this == ROLLBACK_AND_RESTORE;
	}

}
