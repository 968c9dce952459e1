package dev.backout.runbook;

import java.util.List;
import java.util.Optional;

/**
 * @param transaction {@code step} (default): each step commits on its own; {@code phase}: one
 * transaction for the whole phase
 */
public record Phase(PhaseName name, String transaction, List<Step> steps) {

	public Phase {
		transaction = (transaction != null) ? transaction : "step";
		steps = (steps != null) ? List.copyOf(steps) : List.of();
	}

	static Phase named(PhaseName name, Phase phase) {
		return (phase != null) ? new Phase(name, phase.transaction(), phase.steps()) : null;
	}

	Phase withSteps(List<Step> chosen) {
		return new Phase(this.name, this.transaction, chosen);
	}

	public boolean singleTransaction() {
		return "phase".equals(this.transaction);
	}

	public Optional<Step> step(String stepId) {
		return this.steps.stream().filter((step) -> step.id().equals(stepId)).findFirst();
	}

}
