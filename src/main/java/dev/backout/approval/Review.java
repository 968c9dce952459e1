package dev.backout.approval;

import java.util.List;

/**
 * The whole plan as approvers review it.
 *
 * @param skipping steps the commander asks to skip (with the reason), when the request is for a skip
 * @param symptom what the commander saw, and {@code severity} how bad (absent from reviews stored before)
 * @param rehearsal the plan's rehearsal, or why approval is asked without one (absent from reviews stored before)
 */
public record Review(String outcome, List<Answered> decisionPath, List<CheckResult> prechecks, List<Item> steps,
		String planHash, String runbookHash, List<String> skipping, String skipReason, String target, String symptom,
		String severity, Rehearsed rehearsal) {

	public Review {
		decisionPath = List.copyOf(decisionPath);
		prechecks = List.copyOf(prechecks);
		steps = List.copyOf(steps);
		skipping = (skipping != null) ? List.copyOf(skipping) : List.of();
	}

	/**
	 * @param fact the question's fact, when it has one, with the value read when it was answered
	 * @param contradicted the fact said otherwise than the answer
	 */
	public record Answered(String question, String answer, String fact, String factValue, boolean contradicted) {

		public Answered(String question, String answer) {
			this(question, answer, null, null, false);
		}

	}

	public record CheckResult(String step, String title, String expected, String actual, boolean passed) {
	}

	/**
	 * @param rowsAtStake for destructive steps, the count-before query's result when approval was requested
	 * @param dynamicSql its SQL decides what it does when it runs: the console could not analyse it
	 */
	public record Item(String phase, String step, String title, String kind, List<String> statements,
			boolean destructive, String confirm, String rowsAtStake, boolean dynamicSql) {
	}

	/**
	 * @param required the runbook or the target's environment asks for a passing rehearsal
	 * @param result the latest passing rehearsal of this plan in one line (null when there is none)
	 * @param at when it ran
	 * @param steps what each step did in it: result, time, rows, locks
	 * @param withoutReason why the commander asks for approval without the required rehearsal
	 */
	public record Rehearsed(boolean required, String result, java.time.Instant at, List<String> steps, String withoutReason) {

		public Rehearsed {
			steps = (steps != null) ? List.copyOf(steps) : List.of();
		}

	}

	/** The steps that destroy data. */
	public List<Item> destructiveSteps() {
		return this.steps.stream().filter(Item::destructive).toList();
	}

	/** Every statement in running order, one per line, for comparing two reviews. */
	public List<String> statementLines() {
		return this.steps.stream()
			.flatMap((item) -> item.statements().isEmpty() ? java.util.stream.Stream.of("[" + item.kind() + "] " + item.title())
					: item.statements().stream().map((sql) -> item.step() + ": " + sql.replaceAll("\\s+", " ")))
			.toList();
	}

}
