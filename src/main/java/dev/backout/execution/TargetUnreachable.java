package dev.backout.execution;

/** No session could be opened on the target, so nothing was sent. */
public class TargetUnreachable extends ExecutionRefused {

	TargetUnreachable(String target, Exception cause) {
		super("Cannot reach target " + target + ": nothing was sent (" + FailureExplanation.firstLine(cause.getMessage())
				+ ").");
		initCause(cause);
	}

}
