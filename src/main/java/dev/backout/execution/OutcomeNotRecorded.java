package dev.backout.execution;

/**
 * The target answered but the console's database failed before the outcome was recorded. The
 * attempt stays STARTED and is settled like any interrupted one once the database answers.
 */
public class OutcomeNotRecorded extends ExecutionRefused {

	OutcomeNotRecorded(PlannedStep step, StepState outcome, Exception cause) {
		super("The target answered \"" + step.title() + "\" (" + outcome.name().toLowerCase() + "), but the console's "
				+ "database failed before it could record that. Nothing will be sent again: the console settles the step "
				+ (step.transactional() ? "from the target's marker" : "(a person decides, for a step outside a transaction)")
				+ " as soon as its database answers, on the next view of this incident or within a minute.");
		initCause(cause);
	}

}
