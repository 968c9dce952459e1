package dev.backout.execution;

import java.time.Instant;
import java.util.List;

/**
 * What rehearsing a plan found: every transactional step run in order inside one target
 * transaction that was rolled back.
 *
 * @param planHash the plan rehearsed (the one approvers approve)
 * @param targetName where it ran (the incident's target, or another of its alias group)
 * @param passed every rehearsable step ran without an error and every check met its expectation
 */
public record Rehearsal(String planHash, long targetId, String targetName, Instant startedAt, long millis, boolean passed,
		List<Step> steps) {

	public Rehearsal {
		steps = List.copyOf(steps);
	}

	/** The first step that failed, if one did. */
	public java.util.Optional<Step> failure() {
		return this.steps.stream().filter((step) -> step.result() == Result.FAILED).findFirst();
	}

	/** Steps a rehearsal cannot run: outside a transaction, or a person's checklist item. */
	public List<Step> notRehearsed() {
		return this.steps.stream().filter((step) -> step.result() == Result.NOT_REHEARSABLE || step.result() == Result.CHECKLIST).toList();
	}

	/** One line for the trail, the approver and the page. */
	public String summary() {
		long ran = this.steps.stream().filter((step) -> step.result() == Result.PASSED).count();
		String outcome = failure().map((failed) -> "failed at \"" + failed.title() + "\": " + failed.error())
			.orElse(ran + " step(s) ran and were rolled back");
		long outside = this.steps.stream().filter((step) -> step.result() == Result.NOT_REHEARSABLE).count();
		long checklist = this.steps.stream().filter((step) -> step.result() == Result.CHECKLIST).count();
		return (this.passed ? "Passed: " : "Failed: ") + outcome + " on " + this.targetName + " in " + this.millis + " ms"
				+ ((outside > 0) ? "; " + outside + " step(s) outside a transaction not rehearsable" : "")
				+ ((checklist > 0) ? "; " + checklist + " checklist item(s) left to people" : "") + ".";
	}

	public enum Result {

		PASSED, FAILED,
		/** Runs outside a transaction (CREATE INDEX CONCURRENTLY, VACUUM): it cannot be rolled back. */
		NOT_REHEARSABLE,
		/** A person's checklist item. */
		CHECKLIST,
		/** After a failure the transaction is lost: nothing after it ran. */
		NOT_REACHED

	}

	/**
	 * @param locks the relation locks the step was the first to take, as {@code mode on relation} (the
	 * rehearsal is one transaction, so a lock an earlier step took is not listed again; in the real
	 * run each step takes its own)
	 * @param value what a check read, or what a backup would copy
	 */
	public record Step(String phase, String stepId, String title, Result result, Long millis, Long rows, List<String> locks,
			String value, String notices, String error) {

		public Step {
			locks = (locks != null) ? List.copyOf(locks) : List.of();
		}

		/** One line: what happened, how long it took, what it changed and locked. */
		public String describe() {
			StringBuilder text = new StringBuilder(this.title).append(": ").append(switch (this.result) {
				case PASSED -> "ran";
				case FAILED -> "failed";
				case NOT_REHEARSABLE -> "not rehearsable (runs outside a transaction)";
				case CHECKLIST -> "a checklist item";
				case NOT_REACHED -> "not reached";
			});
			if (this.millis != null) {
				text.append(", ").append(this.millis).append(" ms");
			}
			if (this.rows != null && this.rows > 0) {
				text.append(", ").append(this.rows).append(" rows");
			}
			if (this.value != null) {
				text.append(", ").append(this.value);
			}
			if (!this.locks.isEmpty()) {
				text.append("; first to lock ").append(String.join(", ", this.locks));
			}
			if (this.error != null) {
				text.append(": ").append(this.error);
			}
			return text.toString();
		}

		static Step skipped(PlannedStep step, Result result) {
			return new Step(step.phase().name(), step.stepId(), step.title(), result, null, null, List.of(), null, null, null);
		}

	}

}
