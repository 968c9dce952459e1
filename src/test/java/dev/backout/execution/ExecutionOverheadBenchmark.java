package dev.backout.execution;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import dev.backout.ConsoleStatements;
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
 * A one-row step through the console against raw JDBC sending the same statement to the same
 * database, both with a new connection and on one kept open. Run with
 * {@code ./mvnw -Pbench verify}; it prints medians, p95 and the ratios. Not part of the regular
 * test run: figures are printed, not asserted.
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
		long[] rawKept = new long[MEASURED];
		try (Connection kept = this.scratch.connect(target)) {
			for (int i = -WARM_UP; i < MEASURED; i++) {
				long incident = ScratchTargets.nextIncident();
				long started = System.nanoTime();
				StepRun run = this.executions.runStep(incident, plan, "insert-row", COMMANDER, null, Map.of(), Admission.NONE);
				long consoleNanos = System.nanoTime() - started;
				assertThat(run.state()).isEqualTo(StepState.SUCCEEDED);

				started = System.nanoTime();
				// Raw JDBC doing the least a step needs: connect, one transaction, the statement.
				try (Connection connection = this.scratch.connect(target)) {
					insert(connection, statement);
				}
				long rawNanos = System.nanoTime() - started;

				started = System.nanoTime();
				// The floor: the same on a connection kept open, as a psql session would.
				insert(kept, statement);
				long keptNanos = System.nanoTime() - started;
				if (i >= 0) {
					console[i] = consoleNanos;
					raw[i] = rawNanos;
					rawKept[i] = keptNanos;
				}
			}
		}
		long incident = ScratchTargets.nextIncident();
		List<String> statements = ConsoleStatements.during(() -> this.executions.runStep(incident, plan, "insert-row",
				COMMANDER, null, Map.of(), Admission.NONE)).statements();
		System.out.printf("%nOne-row step, %d steps (after %d warm-up), INSERT of one row on PostgreSQL:%n", MEASURED, WARM_UP);
		double consoleMedian = print("console step (lock, marker, journal, audit)", console);
		double rawMedian = print("raw JDBC (connect, transaction, statement)", raw);
		double keptMedian = print("raw JDBC on a connection kept open", rawKept);
		System.out.printf("  console vs raw JDBC: %.2fx   console vs raw on a kept connection: %.2fx%n",
				consoleMedian / rawMedian, consoleMedian / keptMedian);
		System.out.printf("  statements to the console database per step: %d (2 commits, neither waits for the disk)%n",
				statements.size());
	}

	private static void insert(Connection connection, String statement) throws SQLException {
		connection.setAutoCommit(false);
		try (Statement sql = connection.createStatement()) {
			sql.execute(statement);
		}
		connection.commit();
	}

	/** Prints median and p95; returns the median in milliseconds. */
	private static double print(String label, long[] nanos) {
		long[] sorted = nanos.clone();
		Arrays.sort(sorted);
		double median = sorted[sorted.length / 2] / 1e6;
		System.out.printf("  %-45s median %7.2f ms   p95 %7.2f ms%n", label, median,
				sorted[(int) Math.ceil(sorted.length * 0.95) - 1] / 1e6);
		return median;
	}

}
