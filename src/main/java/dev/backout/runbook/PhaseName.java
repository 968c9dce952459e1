package dev.backout.runbook;

public enum PhaseName {

	PRECHECK("Pre-checks"), BACKUP("Backup"), EXECUTE("Execute"), VERIFY("Verify"), RESTORE("Restore"),
	AFTER("After the rollback");

	private final String label;

	PhaseName(String label) {
		this.label = label;
	}

	public String label() {
		return this.label;
	}

	/** Whether a PARTIAL outcome picks this phase's steps by name (the other phases always run). */
	public boolean chosenByPartial() {
		return this == BACKUP || this == EXECUTE || this == VERIFY;
	}

	/** The key of this phase in the YAML file. */
	public String key() {
		return name().toLowerCase();
	}

}
