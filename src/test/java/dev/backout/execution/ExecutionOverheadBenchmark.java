package dev.backout.execution;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import dev.backout.IntegrationTest;
import dev.backout.ScratchTargets;
import dev.backout.runbook.Outcome;
import dev.backout.system.DemoTarget;
import dev.backout.target.Target;
import dev.backout.target.Targets;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;

import static dev.backout.ScratchTargets.COMMANDER;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console's per-step overhead against raw JDBC sending the same statement to the same
 * database. Run with {@code ./mvnw -Pbench verify}; it prints median and p95 of both and of
 * the difference. Not part of the regular test run: figures are printed, not asserted.
 */
@IntegrationTest
class ExecutionOverheadBenchmark {

	static final int WARM_UP = 50;

	static final int MEASURED = 400;

	@Autowired
	Executions executions;

	ScratchTargets scratch;

	@BeforeEach
	void scratchTargets(@Autowired DemoTarget demo, @Autowired Targets targets) {
		this.scratch = new ScratchTargets(demo, targets);
	}

	@Test
	void perStepOverheadAgainstRawJdbc() throws SQLException {
		Target target = this.scratch.create("bench", "CREATE TABLE counter (n int)");
		ExecutionPlan plan = this.executions.prepare(ExecutionTestRunbooks.withSteps(ExecutionIntegrationTests.INSERT_STEP),
				"bench", Outcome.ROLLBACK, List.of(), target);
		String statement = plan.step("insert-row").orElseThrow().statements().get(0);

		long[] console = new long[MEASURED];
		long[] raw = new long[MEASURED];
		for (int i = -WARM_UP; i < MEASURED; i++) {
			long incident = ScratchTargets.nextIncident();
			long started = System.nanoTime();
			StepRun run = this.executions.runStep(incident, plan, "insert-row", COMMANDER, null, Map.of(), Admission.NONE);
			long consoleNanos = System.nanoTime() - started;
			assertThat(run.state()).isEqualTo(StepState.SUCCEEDED);

			started = System.nanoTime();
			// Raw JDBC doing the same work a step needs at the least: connect, one transaction, the statement.
			try (Connection connection = this.scratch.connect(target)) {
				connection.setAutoCommit(false);
				try (Statement sql = connection.createStatement()) {
					sql.execute(statement);
				}
				connection.commit();
			}
			long rawNanos = System.nanoTime() - started;
			if (i >= 0) {
				console[i] = consoleNanos;
				raw[i] = rawNanos;
			}
		}
		long[] overhead = new long[MEASURED];
		for (int i = 0; i < MEASURED; i++) {
			overhead[i] = console[i] - raw[i];
		}
		System.out.printf("%nPer-step overhead, %d steps (after %d warm-up), INSERT of one row on PostgreSQL 17:%n", MEASURED,
				WARM_UP);
		print("console step (lock, journal, marker, timeouts, audit)", console);
		print("raw JDBC (connect, transaction, statement)", raw);
		print("overhead (console - raw)", overhead);
	}

	private static void print(String label, long[] nanos) {
		long[] sorted = nanos.clone();
		Arrays.sort(sorted);
		System.out.printf("  %-55s median %7.2f ms   p95 %7.2f ms%n", label, sorted[sorted.length / 2] / 1e6,
				sorted[(int) Math.ceil(sorted.length * 0.95) - 1] / 1e6);
	}


}
