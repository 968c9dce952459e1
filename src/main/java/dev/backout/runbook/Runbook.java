package dev.backout.runbook;

import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The rollback plan for one migration, exactly as its YAML file states it.
 */
public record Runbook(String id, String title, Migration migration, Risk risk, String estimatedDuration,
		String summary, String target, Triggers triggers, DecisionTree decision, Authorization authorization,
		Phases phases, List<Troubleshooting> troubleshooting) {

	public Runbook {
		triggers = (triggers != null) ? triggers : new Triggers(List.of(), List.of());
		troubleshooting = (troubleshooting != null) ? List.copyOf(troubleshooting) : List.of();
	}

	/** How long the runbook says a rollback takes, when it says so in a form the console reads. */
	public java.util.Optional<java.time.Duration> estimate() {
		try {
			return java.util.Optional.ofNullable(Durations.parse(this.estimatedDuration));
		}
		catch (IllegalArgumentException ex) {
			return java.util.Optional.empty();
		}
	}

	/** Each step's title as people read it, by id. */
	public java.util.Map<String, String> stepTitles() {
		java.util.Map<String, String> titles = new java.util.LinkedHashMap<>();
		steps().forEach((step) -> titles.put(step.id(), step.displayTitle()));
		return titles;
	}

	/** Every step of every phase, in phase order. */
	public Stream<Step> steps() {
		return this.phases.inOrder().stream().flatMap((phase) -> phase.steps().stream());
	}

	public Optional<Step> step(String stepId) {
		return steps().filter((step) -> step.id().equals(stepId)).findFirst();
	}

	/**
	 * The phases and steps a decision runs. ROLLBACK runs every step that is not optional (and
	 * skips the restore phase); ROLLBACK_AND_RESTORE adds the restore phase; PARTIAL runs the
	 * named backup, execute and verify steps, and the other phases in full. Outcomes that do not
	 * execute run nothing.
	 */
	public List<Phase> plan(Outcome outcome, List<String> partialSteps) {
		if (!outcome.executes()) {
			return List.of();
		}
		return this.phases.inOrder()
			.stream()
			.filter((phase) -> phase.name() != PhaseName.RESTORE || outcome == Outcome.ROLLBACK_AND_RESTORE)
			.map((phase) -> phase.withSteps(phase.steps()
				.stream()
				.filter((step) -> (outcome == Outcome.PARTIAL && phase.name().chosenByPartial())
						? partialSteps.contains(step.id()) : !step.onlyWhenNamed())
				.toList()))
			.filter((phase) -> !phase.steps().isEmpty())
			.toList();
	}

	public Optional<Phase> phaseOf(String stepId) {
		return this.phases.inOrder().stream().filter((phase) -> phase.step(stepId).isPresent()).findFirst();
	}

	public enum Risk {

		LOW, MEDIUM, HIGH, CRITICAL

	}

	/**
	 * @param tool alembic, ecto, liquibase, flyway or sql
	 * @param historyTable where the tool records applied migrations
	 */
	public record Migration(String id, String tool, String historyTable) {
	}

	public record Triggers(List<String> rollbackIf, List<String> doNotRollbackIf) {

		public Triggers {
			rollbackIf = (rollbackIf != null) ? List.copyOf(rollbackIf) : List.of();
			doNotRollbackIf = (doNotRollbackIf != null) ? List.copyOf(doNotRollbackIf) : List.of();
		}

	}

	/**
	 * A known problem and what to do about it.
	 *
	 * @param steps the steps whose failure it is about
	 * @param sqlstates the errors it is about: a five-character SQLSTATE, or a two-character class
	 * ({@code 08} for every connection error)
	 */
	public record Troubleshooting(String problem, String cause, String solution, List<String> steps, List<String> sqlstates) {

		public Troubleshooting {
			steps = (steps != null) ? List.copyOf(steps) : List.of();
			sqlstates = (sqlstates != null) ? List.copyOf(sqlstates) : List.of();
		}

		public Troubleshooting(String problem, String cause, String solution) {
			this(problem, cause, solution, List.of(), List.of());
		}

		/** Whether this entry speaks to a failure of {@code stepId} with {@code sqlstate} (which may be null). */
		public boolean matches(String stepId, String sqlstate) {
			return this.steps.contains(stepId) || (sqlstate != null
					&& this.sqlstates.stream().anyMatch((state) -> sqlstate.equals(state) || sqlstate.startsWith(state) && state.length() == 2));
		}

	}

}
