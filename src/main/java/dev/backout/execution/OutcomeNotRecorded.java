package dev.backout.execution;

/**
 * The target answered but the console's database failed before the outcome was recorded. The
 * attempt stays STARTED and is settled from the target's marker once the database answers.
 */
public class OutcomeNotRecorded extends ExecutionRefused {

	OutcomeNotRecorded(PlannedStep step, StepState outcome, Exception cause) {
		super("\"" + step.title() + "\" " + switch (outcome) {
			case SUCCEEDED -> "was applied on the target";
			case FAILED -> "failed on the target";
			default -> "reached the target";
		} + ", but the console's database failed before it could record that. Nothing will be sent again: the "
				+ "console settles the step from the target's marker as soon as its database answers (on the next "
				+ "view of this incident, or within a minute).");
		initCause(cause);
	}

}
