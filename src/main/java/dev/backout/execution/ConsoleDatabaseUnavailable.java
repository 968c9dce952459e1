package dev.backout.execution;

/** The console's own database did not answer, so nothing was started or recorded. */
public class ConsoleDatabaseUnavailable extends ExecutionRefused {

	ConsoleDatabaseUnavailable(Exception cause) {
		super("The console's database did not answer, so nothing was sent to the target. Try again in a moment.");
		initCause(cause);
	}

}
