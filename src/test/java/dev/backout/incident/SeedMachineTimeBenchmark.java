package dev.backout.incident;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.backout.IntegrationTest;
import dev.backout.ScratchTargets;
import dev.backout.SeedDocuments;
import dev.backout.execution.ExecutionPlan;
import dev.backout.execution.Executions;
import dev.backout.execution.PlannedStep;
import dev.backout.execution.StepRun;
import dev.backout.runbook.Step;
import dev.backout.system.DemoTarget;
import dev.backout.target.Target;
import dev.backout.target.Targets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Seed 001's rollback (the bundled runbook, "RLS is blocking all queries") through the console
 * against {@code psql -f} of the same SQL on a fresh copy of the same database. The console's
 * machine time is the sum of its steps' journal times: from the STARTED record, through sending,
 * marker and commit, to the outcome's record (its commit excluded; a checklist tick is one record,
 * so it counts nothing; a person's clicks are not counted). Printed beside it, the wall time of
 * the console calls that ran the steps, everything around them included. psql's is the whole
 * process, connecting included. Run with {@code ./mvnw -Pbench verify}; figures are printed, not asserted.
 */
@IntegrationTest
class SeedMachineTimeBenchmark {

	static final int RUNS = 9;

	static final Pattern URL = Pattern.compile("jdbc:postgresql://([^:/]+):(\\d+)/([^?]+)");

	@Autowired
	ApplicationContext context;

	@Autowired
	Incidents incidents;

	@Autowired
	Executions executions;

	@Autowired
	DemoTarget demo;

	@Autowired
	Targets targets;

	@TempDir
	Path work;

	@Test
	void seed001ThroughTheConsoleAgainstPsql() throws Exception {
		ImportedRunbooks driver = ImportedRunbooks.from(this.context);
		ScratchTargets scratch = new ScratchTargets(this.demo, this.targets);
		String schema = SeedDocuments.demoSchema("001-memory-schema-rls");
		// The bundled runbook, for the scratch targets' alias group instead of the demo's.
		driver.load("memory-schema-rls-bench", SeedDocuments.bundledRunbook("001-memory-schema-rls")
			.replace("id: memory-schema-rls\n", "id: memory-schema-rls-bench\n")
			.replace("target: demo\n", "target: scratch\n"));
		long[] console = new long[RUNS];
		long[] psql = new long[RUNS];
		long[] calls = new long[RUNS];
		int steps = 0;
		for (int i = -1; i < RUNS; i++) {
			Target target = scratch.create("seed001-console-" + (i + 1), schema);
			long callsBefore = driver.stepCallNanos().sum();
			Incident incident = driver.revertEndToEnd("memory-schema-rls-bench", "rls-blocking", target);
			long machine = this.executions.journal(incident.id()).stream().map(StepRun::duration).mapToLong(Duration::toNanos).sum();
			long wall = driver.stepCallNanos().sum() - callsBefore;
			ExecutionPlan plan = this.incidents.plan(incident).orElseThrow();
			Path script = script(plan);
			Target copy = scratch.create("seed001-psql-" + (i + 1), schema);
			long psqlNanos = psql(copy, script);
			if (i >= 0) {
				console[i] = machine;
				calls[i] = wall;
				psql[i] = psqlNanos;
				steps = (int) plan.steps().stream().filter((step) -> step.kind() != Step.Kind.MANUAL).count();
			}
		}
		Arrays.sort(console);
		Arrays.sort(psql);
		Arrays.sort(calls);
		double callsMs = calls[RUNS / 2] / 1e6;
		double consoleMs = console[RUNS / 2] / 1e6;
		double psqlMs = psql[RUNS / 2] / 1e6;
		System.out.printf("%nSeed 001 rollback, %d statements and checks, median of %d runs:%n", steps, RUNS);
		System.out.printf("  console (sum of its steps' times)   %8.1f ms%n", consoleMs);
		System.out.printf("  psql -f of the same SQL             %8.1f ms%n", psqlMs);
		System.out.printf("  console vs psql: %.2fx%n", consoleMs / psqlMs);
		System.out.printf("  wall time of the console's calls that ran the steps (plan, lease, state included) %8.1f ms: %.2fx%n",
				callsMs, callsMs / psqlMs);
	}

	/** The plan's SQL in order: statements, checks and backups as plain SQL; checklist items have none. */
	private Path script(ExecutionPlan plan) throws Exception {
		StringBuilder sql = new StringBuilder("\\set ON_ERROR_STOP on\n");
		for (PlannedStep step : plan.steps()) {
			if (step.kind() == Step.Kind.BACKUP) {
				for (String table : step.backupTables()) {
					sql.append("CREATE TABLE IF NOT EXISTS backup_").append(table).append(" AS SELECT * FROM ").append(table).append(";\n");
				}
			}
			for (String statement : step.statements()) {
				sql.append(statement.strip());
				sql.append(statement.strip().endsWith(";") ? "\n" : ";\n");
			}
		}
		Path script = this.work.resolve("seed001-" + System.nanoTime() + ".sql");
		Files.writeString(script, sql);
		return script;
	}

	private static long psql(Target target, Path script) throws Exception {
		Matcher url = URL.matcher(target.jdbcUrl());
		assertThat(url.find()).as(target.jdbcUrl()).isTrue();
		ProcessBuilder builder = new ProcessBuilder("psql", "-X", "-q", "-h", url.group(1), "-p", url.group(2), "-U",
				target.username(), "-d", url.group(3), "-f", script.toString())
			.redirectErrorStream(true);
		long started = System.nanoTime();
		Process process = builder.start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
		long nanos = System.nanoTime() - started;
		assertThat(process.exitValue()).as(output).isZero();
		return nanos;
	}

}
