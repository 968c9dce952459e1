package dev.backout.incident;

/** The target now reaches another database than the one approval was requested for: nothing was sent. */
class DatabaseChanged extends IncidentRefused {

	DatabaseChanged(String target) {
		super("Target " + target + " now reaches another database than the one approval was requested for: nothing "
				+ "was sent, and the incident halts. Abort it, or point the target back.");
	}

}
