package dev.backout.security;

/**
 * What a person may do in the console. A user may hold several roles.
 */
public enum Role {

	COMMANDER("Incident commander"), TEAM_LEAD("Team lead"), CTO("CTO"), ON_CALL("On-call engineer"),
	AUDITOR("Auditor"), ADMIN("Administrator"), RUNBOOK_AUTHOR("Runbook author");

	private final String label;

	Role(String label) {
		this.label = label;
	}

	public String label() {
		return this.label;
	}

	/** The Spring Security authority, e.g. {@code ROLE_TEAM_LEAD}. */
	public String authority() {
		return "ROLE_" + name();
	}

}
