package dev.backout.incident;

import java.util.List;

import dev.backout.execution.PlannedStep;
import dev.backout.execution.StepRun;
import dev.backout.execution.StepState;

/**
 * One step of the incident's plan with what happened to it, for the step list.
 *
 * @param next whether this is the step the commander acts on now
 */
public record StepRow(PlannedStep step, List<StepRun> attempts, boolean next) {

	public StepRun latest() {
		return this.attempts.isEmpty() ? null : this.attempts.get(this.attempts.size() - 1);
	}

	public String state() {
		StepRun latest = latest();
		return (latest != null) ? latest.state().name() : "PENDING";
	}

	/** The latest attempt's outcome is not known: unknown, or lost and awaiting its marker. */
	public boolean needsSettling() {
		StepRun latest = latest();
		return latest != null && (latest.state() == StepState.UNKNOWN || latest.beingSettled());
	}

	/** What the step's DDL removes (DROP, TRUNCATE), in its own words: for a DROP, "0 rows" says nothing. */
	public List<String> removes() {
		return this.step.statements()
			.stream()
			.flatMap((sql) -> dev.backout.runbook.SqlScript.statements(sql).stream())
			.filter((statement) -> statement.destruction().filter((why) -> why.startsWith("DROP") || why.equals("TRUNCATE")).isPresent())
			.map(dev.backout.runbook.SqlStatement::summary)
			.toList();
	}

	public boolean running() {
		StepRun latest = latest();
		return latest != null && latest.state() == StepState.STARTED;
	}

}
