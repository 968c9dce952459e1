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

	/** The key of this phase in the YAML file. */
	public String key() {
		return name().toLowerCase();
	}

}
