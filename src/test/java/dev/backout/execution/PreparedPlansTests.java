package dev.backout.execution;

import java.time.Instant;
import java.util.List;

import dev.backout.runbook.Outcome;
import dev.backout.runbook.Runbook;
import dev.backout.target.Environment;
import dev.backout.target.Target;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A kept plan is handed out only while everything it was made from is unchanged. */
class PreparedPlansTests {

	static final Runbook RUNBOOK = ExecutionTestRunbooks.withSteps(ExecutionTestRunbooks.INSERT_ROW);

	final PreparedPlans plans = new PreparedPlans();

	@Test
	void theSameInputsGetTheSamePlan() {
		ExecutionPlan first = this.plans.prepare(RUNBOOK, "v1", Outcome.ROLLBACK, List.of(), target("jdbc:postgresql://db/app"));

		assertThat(this.plans.prepare(RUNBOOK, "v1", Outcome.ROLLBACK, List.of(), target("jdbc:postgresql://db/app")))
			.isSameAs(first);
	}

	@Test
	void aTargetPointedElsewhereGetsANewPlanWithAnotherHash() {
		ExecutionPlan before = this.plans.prepare(RUNBOOK, "v1", Outcome.ROLLBACK, List.of(), target("jdbc:postgresql://db/app"));

		ExecutionPlan after = this.plans.prepare(RUNBOOK, "v1", Outcome.ROLLBACK, List.of(), target("jdbc:postgresql://other/app"));

		assertThat(after.planHash()).isNotEqualTo(before.planHash());
		assertThat(after).isEqualTo(ExecutionPlan.of(RUNBOOK, "v1", Outcome.ROLLBACK, List.of(), target("jdbc:postgresql://other/app")));
	}

	@Test
	void anotherRunbookUnderTheSameHashIsPlannedFromItself() {
		this.plans.prepare(RUNBOOK, "v1", Outcome.ROLLBACK, List.of(), target("jdbc:postgresql://db/app"));
		Runbook other = ExecutionTestRunbooks.withSteps("""
				      - id: delete-rows
				        title: Delete the rows
				        sql: DELETE FROM counter;
				""");

		ExecutionPlan plan = this.plans.prepare(other, "v1", Outcome.ROLLBACK, List.of(), target("jdbc:postgresql://db/app"));

		assertThat(String.join("\n", plan.statements())).contains("DELETE FROM counter");
	}

	@Test
	void anotherDecisionOrSelectionIsPlannedAfresh() {
		ExecutionPlan all = this.plans.prepare(RUNBOOK, "v1", Outcome.ROLLBACK, List.of(), target("jdbc:postgresql://db/app"));
		ExecutionPlan chosen = this.plans.prepare(RUNBOOK, "v1", Outcome.PARTIAL, List.of("insert-row"),
				target("jdbc:postgresql://db/app"));

		ExecutionPlan noneChosen = this.plans.prepare(RUNBOOK, "v1", Outcome.PARTIAL, List.of(), target("jdbc:postgresql://db/app"));

		assertThat(chosen.outcome()).isEqualTo(Outcome.PARTIAL);
		assertThat(chosen.planHash()).isNotEqualTo(all.planHash());
		assertThat(String.join("\n", chosen.statements())).contains("INSERT INTO counter (n) VALUES (1)");
		assertThat(String.join("\n", noneChosen.statements())).doesNotContain("INSERT INTO counter (n) VALUES (1)");
	}

	private static Target target(String url) {
		return new Target(7L, "orders", null, Environment.STAGING, url, "app", null, Instant.EPOCH, Instant.EPOCH, null,
				null, false);
	}

}
