package dev.backout.incident;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import javax.sql.DataSource;

import dev.backout.CpuTime;
import dev.backout.PackagedConsole;
import dev.backout.ScratchTargets;
import dev.backout.TestcontainersConfiguration;
import dev.backout.audit.MillionEventTrail;
import dev.backout.audit.TrailKey;
import dev.backout.execution.Admission;
import dev.backout.execution.ExecutionPlan;
import dev.backout.execution.ExecutionTestRunbooks;
import dev.backout.execution.Executions;
import dev.backout.execution.StepRun;
import dev.backout.execution.StepState;
import dev.backout.runbook.Outcome;
import dev.backout.system.DemoTarget;
import dev.backout.target.Target;
import dev.backout.target.Targets;
import io.gatling.app.Gatling$;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.boot.liquibase.autoconfigure.LiquibaseConnectionDetails;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.ActiveProfiles;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged console over real HTTP with the trail at 1,000,000 events: 32 clients that never
 * pause (16 commanders polling a live incident, 8 auditors paging history, 8 reading timelines
 * and a person's activity), driven by Gatling ({@link ConsoleUnderLoad}), while one incident
 * executes one-row steps. The console is the jar as it ships, in a process of its own, on this
 * test's database; this JVM loads the data, runs Gatling, and executes the incident's steps
 * (as a second console instance on the same database would). Prints requests/s, p50/p95/p99 and
 * errors per page, the CPU each request cost in the console, in the load tool and in PostgreSQL,
 * and the steps' times under load beside an idle run. All share the machine's cores. Run after
 * packaging by {@code ./mvnw -Pbench verify}; figures are printed, not asserted.
 */
@SpringBootTest(properties = "backout.test.record-statements=false")
@Import(TestcontainersConfiguration.class)
@ActiveProfiles("test")
class PagesUnderLoadBenchmark {

	static final int SECONDS = 60;

	static final int WARM_UP_SECONDS = 45;

	static final int STEPS_IDLE = 100;

	@Autowired
	JdbcClient jdbc;

	@Autowired
	DataSource dataSource;

	@Autowired
	TrailKey key;

	@Autowired
	Executions executions;

	@Autowired
	ApplicationContext context;

	@Autowired
	DemoTarget demo;

	@Autowired
	Targets targets;

	@Autowired
	JdbcConnectionDetails consoleDatabase;

	@Autowired
	LiquibaseConnectionDetails migrations;

	@Autowired
	Environment environment;

	@TempDir
	Path work;

	@Test
	void pagesUnderConcurrentClientsWhileAnIncidentExecutes() throws Exception {
		long firstIncident = MillionEventTrail.load(this.jdbc, this.dataSource, this.key);
		ScratchTargets scratch = new ScratchTargets(this.demo, this.targets);
		long live = AwaitingApproval.incident(this.context, "load-live");
		Steps steps = new Steps(scratch.create("under-load", "CREATE TABLE counter (n int)"));
		steps.run(20, new ArrayList<>());
		List<Long> idle = new ArrayList<>();
		steps.run(STEPS_IDLE, idle);

		List<String> command = consoleCommand();
		try (PackagedConsole console = PackagedConsole.start(command, this.work, this.work.resolve("console.log"),
				consoleEnvironment())) {
			System.out.printf("%nThe packaged console: %s, pid %d, log %s%n", String.join(" ", command), console.pid(),
					this.work.resolve("console.log"));
			underLoad(console, firstIncident, live, steps, idle);
		}
	}

	private void underLoad(PackagedConsole console, long firstIncident, long live, Steps steps, List<Long> idle) throws Exception {
		System.setProperty("backout.load.url", console.url());
		System.setProperty("backout.load.console-pid", String.valueOf(console.pid()));
		System.setProperty("backout.load.incident", String.valueOf(live));
		System.setProperty("backout.load.first-incident", String.valueOf(firstIncident));
		System.setProperty("backout.load.incidents", String.valueOf(MillionEventTrail.INCIDENTS));
		Path results = Path.of("target", "gatling");
		// A first, shorter run warms the JIT and the pools; only the second is reported.
		System.setProperty("backout.load.seconds", String.valueOf(WARM_UP_SECONDS));
		Gatling$.MODULE$.fromArgs(new String[] { "--simulation", ConsoleUnderLoad.class.getName(), "--results-folder",
				results.toAbsolutePath().toString(), "--no-reports" });
		System.setProperty("backout.load.seconds", String.valueOf(SECONDS));
		ConsoleUnderLoad.UNCHANGED.reset();
		ConsoleUnderLoad.RENDERED.reset();
		List<Long> underLoad = new ArrayList<>();
		Thread executing = new Thread(() -> steps.runUntilStopped(underLoad), "executing incident");
		executing.start();
		int status;
		try {
			status = Gatling$.MODULE$.fromArgs(new String[] { "--simulation", ConsoleUnderLoad.class.getName(), "--results-folder",
					results.toAbsolutePath().toString() });
		}
		finally {
			steps.stop();
			executing.join();
		}
		CpuTime spent = ConsoleUnderLoad.spent;
		System.out.printf("%nPages under load: %d clients for %d s over real HTTP, trail of 1,000,000 events (Gatling exit %d)%n",
				Integer.getInteger("backout.load.users", 32), SECONDS, status);
		List<List<String>> stats = newestStats(results);
		printRequests(stats);
		long requests = stats.stream().filter((row) -> row.size() >= 12 && row.get(0).equals("All Requests"))
			.mapToLong((row) -> Long.parseLong(row.get(1).replace(",", ""))).findFirst().orElse(0);
		if (spent != null && spent.machineMillis() > 0 && requests > 0) {
			System.out.printf("  CPU per request: %.2f ms in the console's process, %.2f ms in this JVM (Gatling's clients, "
					+ "the executing incident), %.2f ms in the machine's other processes (PostgreSQL); the machine was %.0f%% busy%n",
					(double) ConsoleUnderLoad.consoleSpent.toMillis() / requests, (double) spent.jvmMillis() / requests,
					(double) (spent.othersMillis() - ConsoleUnderLoad.consoleSpent.toMillis()) / requests, spent.busyPercent());
			StringBuilder threads = new StringBuilder();
			ConsoleUnderLoad.consoleThreads.forEach((kind, millis) -> threads.append(String.format("%s %.2f ms, ", kind, (double) millis / requests)));
			System.out.println("  the console's CPU per request by thread: " + threads.toString().replaceAll(", $", ""));
		}
		System.out.printf("  live fragment polls: %,d answered 204 (the page already showed that cockpit: the incident awaits "
				+ "approval), %,d rendered%n", ConsoleUnderLoad.UNCHANGED.sum(), ConsoleUnderLoad.RENDERED.sum());
		System.out.printf("  executing incident, one-row step: idle median %.2f ms p95 %.2f ms; under load median %.2f ms "
				+ "p95 %.2f ms (%d steps)%n", percentile(idle, 50), percentile(idle, 95), percentile(underLoad, 50),
				percentile(underLoad, 95), underLoad.size());
		assertThat(underLoad).as("the incident kept executing under load").isNotEmpty();
		long failed = stats.stream().filter((row) -> row.size() >= 12 && row.get(0).equals("All Requests"))
			.mapToLong((row) -> Long.parseLong(row.get(3).replace(",", ""))).findFirst().orElseThrow();
		assertThat(failed).as("requests that failed under load (the report: target/gatling)").isZero();
	}

	/**
	 * The java the image runs it with where the machine has one ({@code -Dbackout.load.java} to
	 * choose), else this JVM's; {@code -Dbackout.load.console-options="..."} adds options (a flight
	 * recording, a collector).
	 */
	private static List<String> consoleCommand() throws IOException {
		String java = PackagedConsole.imageJava(System.getProperty("backout.load.java"))
			.map(Path::toString)
			.orElseGet(() -> ProcessHandle.current().info().command().orElse("java"));
		List<String> command = new ArrayList<>(List.of(java));
		String options = System.getProperty("backout.load.console-options", "").strip();
		if (!options.isEmpty()) {
			command.addAll(List.of(options.split("\\s+")));
		}
		command.addAll(List.of("-jar", System.getProperty("backout.jar")));
		return command;
	}

	/**
	 * The console as in production (external mode) on this test's database: migrations as its
	 * owner, the console as its unprivileged role, this test's keys, and the runbook directory
	 * where the live incident's runbook was written.
	 */
	private Map<String, String> consoleEnvironment() {
		Map<String, String> environment = new HashMap<>();
		environment.put("SERVER_ADDRESS", "127.0.0.1");
		environment.put("SPRING_DATASOURCE_URL", this.consoleDatabase.getJdbcUrl());
		environment.put("SPRING_DATASOURCE_USERNAME", this.consoleDatabase.getUsername());
		environment.put("SPRING_DATASOURCE_PASSWORD", Objects.requireNonNullElse(this.consoleDatabase.getPassword(), ""));
		environment.put("SPRING_LIQUIBASE_URL", this.migrations.getJdbcUrl());
		environment.put("SPRING_LIQUIBASE_USER", this.migrations.getUsername());
		environment.put("SPRING_LIQUIBASE_PASSWORD", Objects.requireNonNullElse(this.migrations.getPassword(), ""));
		environment.put("BACKOUT_SECRET_KEY", this.environment.getRequiredProperty("backout.secret-key"));
		environment.put("BACKOUT_AUDIT_KEY", this.environment.getRequiredProperty("backout.audit.key"));
		environment.put("BACKOUT_AUDIT_CHECKPOINT_FILE", this.work.resolve("checkpoints.jsonl").toString());
		environment.put("BACKOUT_RUNBOOKS_LOCATIONS",
				"classpath:runbooks/,file:" + IncidentWorkflowIntegrationTests.RUNBOOKS.toAbsolutePath() + "/");
		return environment;
	}

	/** The statistics table of the newest Gatling report (its index.html): one row per request name. */
	private static List<List<String>> newestStats(Path results) throws IOException {
		Path newest;
		try (Stream<Path> runs = Files.list(results)) {
			newest = runs.filter(Files::isDirectory).max(Comparator.comparing(Path::getFileName)).orElseThrow();
		}
		String html = Files.readString(newest.resolve("index.html"));
		List<List<String>> rows = new ArrayList<>();
		Matcher row = STATS_ROW.matcher(html);
		while (row.find()) {
			List<String> cells = new ArrayList<>(List.of(row.group(1).replace("&amp;", "&")));
			Matcher cell = STATS_CELL.matcher(row.group(2));
			while (cell.find()) {
				cells.add(cell.group(1));
			}
			rows.add(cells);
		}
		System.out.println("  report: " + newest.resolve("index.html").toAbsolutePath());
		return rows;
	}

	private static final Pattern STATS_ROW = Pattern.compile(
			"class=\"ellipsed-name\">([^<]+)</span>(.*?)</tr>", Pattern.DOTALL);

	private static final Pattern STATS_CELL = Pattern.compile("<td class=\"value [a-z]+ col-\\d+\">([^<]*)</td>");

	/** Columns of Gatling's table: total, OK, KO, % KO, req/s, min, p50, p75, p95, p99, max, mean, std dev. */
	private static void printRequests(List<List<String>> rows) {
		System.out.printf("  %-28s %9s %9s %8s %8s %8s %7s%n", "request", "count", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors");
		for (List<String> row : rows) {
			if (row.size() < 12) {
				continue;
			}
			System.out.printf("  %-28s %9s %9s %8s %8s %8s %7s%n", row.get(0), row.get(1), row.get(5), row.get(7), row.get(9),
					row.get(10), row.get(3));
		}
	}

	private static double percentile(List<Long> nanos, int percentile) {
		if (nanos.isEmpty()) {
			return Double.NaN;
		}
		long[] sorted = nanos.stream().mapToLong(Long::longValue).toArray();
		Arrays.sort(sorted);
		return sorted[Math.max(0, (int) Math.ceil(sorted.length * percentile / 100.0) - 1)] / 1e6;
	}

	/** One incident executing: a one-row step after the other, each of a new incident of the journal. */
	private final class Steps {

		private final ExecutionPlan plan;

		private final AtomicBoolean stopped = new AtomicBoolean();

		Steps(Target target) {
			this.plan = PagesUnderLoadBenchmark.this.executions.prepare(ExecutionTestRunbooks.withSteps(ExecutionTestRunbooks.INSERT_ROW), "under-load", Outcome.ROLLBACK, List.of(), target);
		}

		void run(int count, List<Long> times) {
			for (int i = 0; i < count; i++) {
				times.add(step());
			}
		}

		void runUntilStopped(List<Long> times) {
			while (!this.stopped.get()) {
				times.add(step());
			}
		}

		void stop() {
			this.stopped.set(true);
		}

		private long step() {
			long started = System.nanoTime();
			StepRun run = PagesUnderLoadBenchmark.this.executions.runStep(ScratchTargets.nextIncident(), this.plan, "insert-row",
					ScratchTargets.COMMANDER, null, Map.of(), Admission.NONE);
			assertThat(run.state()).isEqualTo(StepState.SUCCEEDED);
			return System.nanoTime() - started;
		}

	}

}
