package dev.backout.execution;

/**
 * What the incident checks and changes once the target session is open and locked, before
 * anything is journaled or sent: a state change made here happens only when the step can
 * really run. Throwing refuses the step; nothing is sent.
 */
@FunctionalInterface
public interface Admission {

	Admission NONE = (databaseKey) -> {
	};

	/** @param databaseKey the database the session reached, null for a checklist item */
	void admit(String databaseKey);

}
