package dev.backout.execution;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.backout.runbook.Outcome;
import dev.backout.runbook.Runbook;
import dev.backout.target.Environment;
import dev.backout.target.Target;

/**
 * Plans already made. A plan is a function of the runbook version, the decision and where the
 * target points, and every view and poll of an incident asks for its plan: making it again each
 * time split every statement and hashed the whole plan. A plan is reused only for the very
 * runbook instance it was made from (the catalog keeps one per version), so a runbook that is not
 * the catalog's never meets a plan made from another with the same hash.
 */
final class PreparedPlans {

	/** Far more plans than incidents open at once; past it, all are made afresh. */
	static final int KEPT = 1_000;

	private final Map<Inputs, Prepared> plans = new ConcurrentHashMap<>();

	ExecutionPlan prepare(Runbook runbook, String runbookHash, Outcome outcome, List<String> partialSteps, Target target) {
		Inputs inputs = new Inputs(runbookHash, outcome, (partialSteps != null) ? List.copyOf(partialSteps) : null, target.id(),
				target.name(), target.environment(), target.jdbcUrl(), target.username());
		Prepared kept = this.plans.get(inputs);
		if (kept != null && kept.runbook() == runbook) {
			return kept.plan();
		}
		ExecutionPlan plan = ExecutionPlan.of(runbook, runbookHash, outcome, partialSteps, target);
		if (this.plans.size() >= KEPT) {
			this.plans.clear();
		}
		this.plans.put(inputs, new Prepared(runbook, plan));
		return plan;
	}

	/** What a plan is made from besides the runbook itself: its version, the decision, the target as approvers see it. */
	private record Inputs(String runbookHash, Outcome outcome, List<String> partialSteps, Long targetId, String targetName,
			Environment environment, String jdbcUrl, String username) {
	}

	private record Prepared(Runbook runbook, ExecutionPlan plan) {
	}

}
