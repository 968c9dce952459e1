package dev.backout.incident;

/**
 * An incident action that may not happen now; the message says why, for the person.
 */
public class IncidentRefused extends RuntimeException {

	public IncidentRefused(String message) {
		super(message);
	}

}
