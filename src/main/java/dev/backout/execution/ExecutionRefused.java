package dev.backout.execution;

/**
 * A request to run something that must not run now; the message says why, for the person.
 */
public class ExecutionRefused extends RuntimeException {

	public ExecutionRefused(String message) {
		super(message);
	}

}
