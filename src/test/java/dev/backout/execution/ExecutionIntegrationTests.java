package dev.backout.execution;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import dev.backout.IntegrationTest;
import dev.backout.ScratchTargets;
import dev.backout.execution.CrashPoint.SimulatedCrash;
import dev.backout.runbook.Outcome;
import dev.backout.system.DemoTarget;
import dev.backout.runbook.PhaseName;
import dev.backout.runbook.Runbook;
import dev.backout.runbook.Step;
import dev.backout.target.Target;
import dev.backout.target.Targets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import static dev.backout.ScratchTargets.COMMANDER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

@IntegrationTest
class ExecutionIntegrationTests {

	static final String INSERT_STEP = ExecutionTestRunbooks.INSERT_ROW;

	static final String INSERT_AGAIN_STEP = """
			      - id: insert-again
			        title: Insert another row
			        sql: INSERT INTO counter (n) VALUES (2);
			""";

	@Autowired
	Executions executions;

	ScratchTargets scratch;

	@Autowired
	Targets targets;

	@Autowired
	TargetConnections connections;

	@Autowired
	ExecutorLeases leases;

	@AfterEach
	void disarm() {
		CrashPoint.arm(null);
	}

	@BeforeEach
	void scratchTargets(@Autowired DemoTarget demo, @Autowired Targets targets) {
		this.scratch = new ScratchTargets(demo, targets);
	}

	@Test
	void everyStepIsLoggedWithItsIncidentStepAndTargetAsFields() throws SQLException {
		Target target = this.scratch.create("logged", "CREATE TABLE counter (n int)");
		ExecutionPlan plan = plan(ExecutionTestRunbooks.withSteps(INSERT_STEP), target);
		long incident = ScratchTargets.nextIncident();
		ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(StepExecutor.class);
		ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines = new ch.qos.logback.core.read.ListAppender<>();
		lines.start();
		logger.addAppender(lines);
		try {
			this.executions.runStep(incident, plan, "insert-row", COMMANDER, null, Map.of(), Admission.NONE);
		}
		finally {
			logger.detachAppender(lines);
		}
		assertThat(lines.list).anySatisfy((line) -> {
			assertThat(line.getFormattedMessage()).startsWith("Incident " + incident + " step insert-row on target " + target.name()
					+ ": succeeded in ");
			assertThat(line.getMDCPropertyMap()).containsEntry("incident", String.valueOf(incident))
				.containsEntry("step", "insert-row")
				.containsEntry("target", target.name());
		});
		assertThat(org.slf4j.MDC.get("incident")).as("nothing left behind on the thread").isNull();
	}

	@Test
	void everyCrashPointIsRecoveredToTheTruthAndNoCommittedStepIsSentTwice() throws SQLException {
		Target target = this.scratch.create("crash", "CREATE TABLE counter (n int)");
		ExecutionPlan plan = plan(ExecutionTestRunbooks.withSteps(INSERT_STEP), target);
		CrashPoint[] points = CrashPoint.values();
		int iterations = 40;
		for (int i = 0; i < iterations; i++) {
			long incident = ScratchTargets.nextIncident();
			CrashPoint point = points[i % points.length];
			long rowsBefore = rows(target);
			CrashPoint.arm(point);
			assertThatExceptionOfType(SimulatedCrash.class).isThrownBy(
					() -> this.executions.runStep(incident, plan, "insert-row", COMMANDER, null, Map.of(), Admission.NONE));

			assertThat(this.executions.recover(COMMANDER).settled()).hasSize(1);
			StepRun recovered = latest(incident, "insert-row");
			boolean committed = point == CrashPoint.AFTER_TARGET_COMMIT || point == CrashPoint.BEFORE_OUTCOME_RECORDED;
			assertThat(recovered.state()).as("after a crash at %s", point)
				.isEqualTo(committed ? StepState.SUCCEEDED : StepState.FAILED);
			assertThat(rows(target)).isEqualTo(rowsBefore + (committed ? 1 : 0));

			if (!committed) {
				StepRun retried = this.executions.runStep(incident, plan, "insert-row", COMMANDER, null, Map.of(), Admission.NONE);
				assertThat(retried.state()).isEqualTo(StepState.SUCCEEDED);
				assertThat(retried.attempt()).isEqualTo(2);
			}
			assertThatExceptionOfType(ExecutionRefused.class)
				.isThrownBy(() -> this.executions.runStep(incident, plan, "insert-row", COMMANDER, null, Map.of(), Admission.NONE));
			assertThat(rows(target)).isEqualTo(rowsBefore + 1);
		}
	}

	@Test
	void anInterruptedStepOutsideATransactionIsUnknownUntilAPersonResolvesIt() throws SQLException {
		Target target = this.scratch.create("unknown", "CREATE TABLE counter (n int)");
		ExecutionPlan plan = plan(ExecutionTestRunbooks.withSteps("""
				      - id: build-index
				        title: Build the index concurrently
				        sql: CREATE INDEX CONCURRENTLY IF NOT EXISTS counter_n ON counter (n);
				        transaction: false
				"""), target);
		long incident = ScratchTargets.nextIncident();
		CrashPoint.arm(CrashPoint.BEFORE_OUTCOME_RECORDED);
		assertThatExceptionOfType(SimulatedCrash.class)
			.isThrownBy(() -> this.executions.runStep(incident, plan, "build-index", COMMANDER, null, Map.of(), Admission.NONE));
		this.executions.recover(COMMANDER);

		StepRun unknown = latest(incident, "build-index");
		assertThat(unknown.state()).isEqualTo(StepState.UNKNOWN);
		assertThatExceptionOfType(ExecutionRefused.class)
			.isThrownBy(() -> this.executions.runStep(incident, plan, "build-index", COMMANDER, null, Map.of(), Admission.NONE))
			.withMessageContaining("a person must resolve it first");
		assertThatExceptionOfType(ExecutionRefused.class)
			.isThrownBy(() -> this.executions.resolve(incident, unknown.id(), true, " ", COMMANDER));

		StepRun resolved = this.executions.resolve(incident, unknown.id(), true, "index counter_n exists and is valid", COMMANDER);
		assertThat(resolved.state()).isEqualTo(StepState.SUCCEEDED);
		assertThat(resolved.resolution()).isEqualTo("Settled by commander as applied: index counter_n exists and is valid");
	}

	@Test
	void aStepBlockedByAnotherSessionsLockFailsByLockTimeoutInPlainWords() throws Exception {
		Target target = this.scratch.create("locked", "CREATE TABLE busy (n int)");
		ExecutionPlan plan = plan(ExecutionTestRunbooks.withSteps("""
				      - id: alter-busy
				        title: Alter the busy table
				        sql: ALTER TABLE busy ADD COLUMN extra int;
				        lockTimeout: 1s
				"""), target);
		long incident = ScratchTargets.nextIncident();
		try (Connection holder = this.scratch.connect(target)) {
			holder.setAutoCommit(false);
			try (Statement statement = holder.createStatement()) {
				statement.execute("LOCK TABLE busy IN ACCESS EXCLUSIVE MODE");
			}
			long started = System.nanoTime();
			StepRun run = this.executions.runStep(incident, plan, "alter-busy", COMMANDER, null, Map.of(), Admission.NONE);
			Duration took = Duration.ofNanos(System.nanoTime() - started);

			assertThat(took).isLessThan(Duration.ofSeconds(2));
			assertThat(run.state()).isEqualTo(StepState.FAILED);
			assertThat(run.sqlstate()).isEqualTo("55P03");
			assertThat(run.error()).startsWith("The step waited longer than its lock timeout of 1 s for a lock on busy, held by pid")
				.contains("AccessExclusiveLock")
				.endsWith("Nothing was changed: the step's transaction was rolled back. It can be retried when the lock is free.");
			holder.rollback();
		}
		assertThat(this.executions.runStep(incident, plan, "alter-busy", COMMANDER, null, Map.of(), Admission.NONE).state())
			.isEqualTo(StepState.SUCCEEDED);
	}

	@Test
	void aRunningStepCanBeCancelledFromTheConsole() throws Exception {
		Target target = this.scratch.create("cancel", "CREATE TABLE counter (n int)");
		ExecutionPlan plan = plan(ExecutionTestRunbooks.withSteps("""
				      - id: sleep
				        title: A long statement
				        sql: SELECT pg_sleep(30);
				"""), target);
		long incident = ScratchTargets.nextIncident();
		ExecutorService pool = Executors.newSingleThreadExecutor();
		try {
			long started = System.nanoTime();
			Future<StepRun> running = pool.submit(() -> this.executions.runStep(incident, plan, "sleep", COMMANDER, null, Map.of(), Admission.NONE));
			boolean cancelled = false;
			for (int i = 0; i < 100 && !cancelled; i++) {
				Thread.sleep(100);
				try {
					cancelled = this.executions.cancel(incident, COMMANDER).startsWith("Cancellation sent");
				}
				catch (ExecutionRefused notYet) {
					// The step has not reached the target yet.
				}
			}
			assertThat(cancelled).isTrue();
			StepRun run = running.get(10, TimeUnit.SECONDS);
			assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
			assertThat(run.state()).isEqualTo(StepState.FAILED);
			assertThat(run.sqlstate()).isEqualTo("57014");
			assertThat(run.error()).startsWith("The step was cancelled from the console.");
		}
		finally {
			pool.shutdownNow();
		}
	}

	@Test
	void twentyConcurrentRequestsToRunAStepExecuteItExactlyOnce() throws Exception {
		Target target = this.scratch.create("concurrent", "CREATE TABLE counter (n int)");
		ExecutionPlan plan = plan(ExecutionTestRunbooks.withSteps(INSERT_STEP), target);
		long incident = ScratchTargets.nextIncident();
		int requests = 20;
		ExecutorService pool = Executors.newFixedThreadPool(requests);
		CountDownLatch go = new CountDownLatch(1);
		try {
			List<Future<StepRun>> results = new ArrayList<>();
			for (int i = 0; i < requests; i++) {
				results.add(pool.submit(() -> {
					go.await();
					return this.executions.runStep(incident, plan, "insert-row", COMMANDER, null, Map.of(), Admission.NONE);
				}));
			}
			go.countDown();
			List<Throwable> refusals = new ArrayList<>();
			assertThat(succeeded(results, refusals)).isEqualTo(1);
			assertThat(refusals).hasSize(requests - 1);
		}
		finally {
			pool.shutdownNow();
		}
		assertThat(rows(target)).isEqualTo(1);
		assertThat(this.executions.journal(incident)).singleElement()
			.satisfies((run) -> assertThat(run.state()).isEqualTo(StepState.SUCCEEDED));
	}

	@Test
	void aCheckThatTriesToWriteFailsBecauseChecksAreReadOnly() throws SQLException {
		Target target = this.scratch.create("readonly", "CREATE TABLE counter (n int)");
		Runbook sneaky = ExecutionTestRunbooks.withSteps(INSERT_STEP);
		ExecutionPlan checkPlan = this.executions.prepare(withVerifyCheck(sneaky,
				"WITH written AS (INSERT INTO counter (n) VALUES (42) RETURNING n) SELECT count(*) FROM written"),
				"test", Outcome.ROLLBACK, List.of(), target);
		long incident = ScratchTargets.nextIncident();
		List<StepRun> checks = this.executions.runChecks(incident, checkPlan, PhaseName.VERIFY, COMMANDER);
		assertThat(checks).singleElement().satisfies((run) -> {
			assertThat(run.state()).isEqualTo(StepState.FAILED);
			assertThat(run.sqlstate()).isEqualTo("25006");
			assertThat(run.error()).startsWith("A check may only read");
		});
		assertThat(rows(target)).isZero();
	}

	@Test
	void aDestructiveStepRunsOnlyWithTheExactConfirmationAndRecordsTheRowsAtStake() throws SQLException {
		Target target = this.scratch.create("destructive", "CREATE TABLE things (n int); INSERT INTO things SELECT generate_series(1, 37)");
		ExecutionPlan plan = plan(ExecutionTestRunbooks.withSteps("""
				      - id: drop-things
				        title: Drop things
				        sql: DROP TABLE IF EXISTS things;
				        destructive: true
				        confirm: DROP things
				        countBefore: SELECT count(*) FROM things
				"""), target);
		long incident = ScratchTargets.nextIncident();
		for (String wrong : new String[] { null, "", "drop things", "DROP things " }) {
			assertThatExceptionOfType(ExecutionRefused.class)
				.isThrownBy(() -> this.executions.runStep(incident, plan, "drop-things", COMMANDER, wrong, Map.of(), Admission.NONE))
				.withMessage("Step 'drop-things' destroys data: type \"DROP things\" exactly to confirm it.");
		}
		assertThat(this.executions.journal(incident)).isEmpty();
		StepRun run = this.executions.runStep(incident, plan, "drop-things", COMMANDER, "DROP things", Map.of(), Admission.NONE);
		assertThat(run.state()).isEqualTo(StepState.SUCCEEDED);
		assertThat(run.countBefore()).isEqualTo("37");
	}

	@Test
	void backupsKeepEnumAndEnumArrayColumnsAsTextSoTheRollbackMayDropTheType() throws SQLException {
		Target target = this.scratch.create("enums", "CREATE TYPE mood AS ENUM ('calm', 'busy'); "
				+ "CREATE TABLE moods (id int, now mood, history mood[]); "
				+ "INSERT INTO moods VALUES (1, 'calm', ARRAY['busy', 'calm']::mood[]), (2, 'busy', NULL)");
		Runbook runbook = ExecutionTestRunbooks.withSteps("""
				      - id: drop-moods
				        title: Drop the table and its type
				        sql: DROP TABLE IF EXISTS moods; DROP TYPE IF EXISTS mood;
				        destructive: true
				        confirm: DROP moods
				""");
		Step backup = new Step("copy-moods", "Copy moods", null, null, null, null, null, List.of("moods"), null, null, null,
				null, null, null, null, null, null);
		var phases = new dev.backout.runbook.Phases(null, new dev.backout.runbook.Phase(PhaseName.BACKUP, null, List.of(backup)),
				runbook.phases().execute(), runbook.phases().verify(), null, null);
		Runbook withBackup = new Runbook(runbook.id(), runbook.title(), runbook.migration(), runbook.risk(), null,
				runbook.summary(), null, null, runbook.decision(), runbook.authorization(), phases, null);
		ExecutionPlan plan = plan(withBackup, target);
		long incident = ScratchTargets.nextIncident();
		StepRun copied = this.executions.runStep(incident, plan, "copy-moods", COMMANDER, null, Map.of(), Admission.NONE);
		assertThat(copied.state()).isEqualTo(StepState.SUCCEEDED);
		assertThat(copied.notices()).contains("moods: 2 rows copied to backout_backup.\"moods__" + incident + "\"");
		assertThat(this.executions.runStep(incident, plan, "drop-moods", COMMANDER, "DROP moods", Map.of(), Admission.NONE).state())
			.isEqualTo(StepState.SUCCEEDED);
		try (Connection connection = this.scratch.connect(target); Statement statement = connection.createStatement();
				ResultSet rs = statement.executeQuery("SELECT now, history[1] FROM backout_backup.\"moods__" + incident + "\" WHERE id = 1")) {
			rs.next();
			assertThat(rs.getString(1)).isEqualTo("calm");
			assertThat(rs.getString(2)).isEqualTo("busy");
		}
	}

	@Test
	void anotherExecutionOnTheSameTargetIsRefusedWithItsIncident() throws SQLException {
		Target target = this.scratch.create("busy", "CREATE TABLE counter (n int)");
		ExecutionPlan plan = plan(ExecutionTestRunbooks.withSteps(INSERT_STEP), target);
		try (TargetSession other = TargetSession.open(this.connections, target, TargetSession.applicationName(424242))) {
			assertThat(other.backendPid()).isPositive();
			assertThatExceptionOfType(ExecutionRefused.class)
				.isThrownBy(() -> this.executions.runStep(ScratchTargets.nextIncident(), plan, "insert-row", COMMANDER, null,
						Map.of(), Admission.NONE))
				.withMessage("Target busy is busy with incident 424242: one execution per target at a time. "
						+ "Nothing was sent; try again when it has finished.");
		}
		assertThat(rows(target)).isZero();
	}

	@Test
	void stepsRunInOrder() throws SQLException {
		Target target = this.scratch.create("order", "CREATE TABLE counter (n int)");
		ExecutionPlan plan = plan(ExecutionTestRunbooks.withSteps(INSERT_STEP + INSERT_AGAIN_STEP), target);
		long incident = ScratchTargets.nextIncident();
		assertThatExceptionOfType(ExecutionRefused.class)
			.isThrownBy(() -> this.executions.runStep(incident, plan, "insert-again", COMMANDER, null, Map.of(), Admission.NONE))
			.withMessage("Step 'insert-again' is not next: 'insert-row' (Insert a row) comes first.");
		assertThat(this.executions.runRestOfPhase(incident, plan, COMMANDER, Admission.NONE)).extracting(StepRun::stepId)
			.containsExactly("insert-row", "insert-again");
		assertThat(this.executions.next(incident, plan)).hasValueSatisfying((s) -> assertThat(s.stepId()).isEqualTo("verified"));
	}

	@Test
	void thePlanHashChangesWithAnythingAnApproverApproved() throws SQLException {
		Target one = this.scratch.create("hash-one", "SELECT 1");
		Target two = this.scratch.create("hash-two", "SELECT 1");
		Runbook runbook = ExecutionTestRunbooks.withSteps(INSERT_STEP);
		String hash = plan(runbook, one).planHash();
		assertThat(plan(runbook, one).planHash()).isEqualTo(hash);
		assertThat(plan(runbook, two).planHash()).isNotEqualTo(hash);
		assertThat(this.executions.prepare(runbook, "other-version", Outcome.ROLLBACK, List.of(), one).planHash())
			.isNotEqualTo(hash);
		Runbook edited = ExecutionTestRunbooks.withSteps(INSERT_STEP.replace("VALUES (1)", "VALUES (2)"));
		assertThat(plan(edited, one).planHash()).isNotEqualTo(hash);
		assertThat(plan(runbook, one).statements()).containsExactly("INSERT INTO counter (n) VALUES (1)", "SELECT 1");
	}

	private ExecutionPlan plan(Runbook runbook, Target target) {
		return this.executions.prepare(runbook, "test", Outcome.ROLLBACK, List.of(), target);
	}

	private static Runbook withVerifyCheck(Runbook runbook, String query) {
		Step check = new Step("sneaky", "Sneaky check", null, null, null, query, null, null, null, null, null, null,
				null, null, null, null, null);
		var verify = new dev.backout.runbook.Phase(PhaseName.VERIFY, null, List.of(check));
		var phases = new dev.backout.runbook.Phases(null, null, runbook.phases().execute(), verify, null, null);
		return new Runbook(runbook.id(), runbook.title(), runbook.migration(), runbook.risk(), null, runbook.summary(),
				null, null, runbook.decision(), runbook.authorization(), phases, null);
	}

	@Test
	void aKeptConnectionCarriesNothingFromOneStepToTheNext() throws SQLException {
		Target target = this.scratch.create("kept", "CREATE TABLE counter (n int)");
		ExecutionPlan plan = plan(ExecutionTestRunbooks.withSteps("""
				      - id: wander
				        title: Leave the session pointing elsewhere
				        sql: SET search_path TO nowhere;
				        transaction: false
				""" + INSERT_STEP), target);
		long incident = ScratchTargets.nextIncident();
		assertThat(this.executions.runStep(incident, plan, "wander", COMMANDER, null, Map.of(), Admission.NONE).state())
			.isEqualTo(StepState.SUCCEEDED);
		assertThat(keptSessions(target)).as("the step's connection is kept, named as idle").isEqualTo(1);

		// On the same connection: an unqualified name resolves as if the session were new.
		assertThat(this.executions.runStep(incident, plan, "insert-row", COMMANDER, null, Map.of(), Admission.NONE).state())
			.isEqualTo(StepState.SUCCEEDED);
		assertThat(rows(target)).isEqualTo(1);
		try (TargetSession other = TargetSession.open(this.connections, target, TargetSession.applicationName(1))) {
			assertThat(other.backendPid()).as("the execution lock was released with the step").isPositive();
		}
	}

	@Test
	void aKeptConnectionThatDiedWhileIdleIsReplacedAndTheStepRunsOnce() throws SQLException {
		Target target = this.scratch.create("dropped", "CREATE TABLE counter (n int)");
		ExecutionPlan plan = plan(ExecutionTestRunbooks.withSteps(INSERT_STEP + INSERT_AGAIN_STEP), target);
		long incident = ScratchTargets.nextIncident();
		this.executions.runStep(incident, plan, "insert-row", COMMANDER, null, Map.of(), Admission.NONE);
		endIdleSession(target, TargetConnections.Purpose.STEPS);

		StepRun run = this.executions.runStep(incident, plan, "insert-again", COMMANDER, null, Map.of(), Admission.NONE);
		assertThat(run.state()).isEqualTo(StepState.SUCCEEDED);
		assertThat(run.attempt()).isEqualTo(1);
		assertThat(rows(target)).isEqualTo(2);
	}

	@Test
	void aCheckWhoseKeptConnectionDiedWhileIdleRunsAgainOnANewOne() throws SQLException {
		Target target = this.scratch.create("checked", "CREATE TABLE counter (n int)");
		ExecutionPlan plan = plan(ExecutionTestRunbooks.withSteps(INSERT_STEP + """
				      - id: counted
				        title: One row
				        check: SELECT count(*) FROM counter
				        expect: { equals: 1 }
				"""), target);
		long incident = ScratchTargets.nextIncident();
		this.executions.runStep(incident, plan, "insert-row", COMMANDER, null, Map.of(), Admission.NONE);
		assertThat(this.executions.runStep(incident, plan, "counted", COMMANDER, null, Map.of(), Admission.NONE).state())
			.isEqualTo(StepState.SUCCEEDED);
		endIdleSession(target, TargetConnections.Purpose.CHECKS);

		StepRun again = this.executions.runStep(incident, plan, "verified", COMMANDER, null, Map.of(), Admission.NONE);
		assertThat(again.state()).as(String.valueOf(again.error())).isEqualTo(StepState.SUCCEEDED);
		assertThat(again.checkValue()).isEqualTo("1");
	}

	@Test
	void aStepWaitsOutALeaseHeldForAMomentButIsRefusedWhileAnotherStepHoldsIt() throws Exception {
		Target target = this.scratch.create("leased", "CREATE TABLE counter (n int)");
		ExecutionPlan plan = plan(ExecutionTestRunbooks.withSteps(INSERT_STEP + INSERT_AGAIN_STEP), target);
		long incident = ScratchTargets.nextIncident();
		// A settlement pass looking at the incident: it holds the lease for a statement or two.
		ExecutorLeases.Lease peek = this.leases.take(incident).orElseThrow();
		Thread release = new Thread(() -> {
			sleep(200);
			peek.close();
		});
		release.start();
		assertThat(this.executions.runStep(incident, plan, "insert-row", COMMANDER, null, Map.of(), Admission.NONE).state())
			.isEqualTo(StepState.SUCCEEDED);
		release.join();

		// A step that really runs holds it longer than the wait: the second is refused, nothing sent.
		try (ExecutorLeases.Lease running = this.leases.take(incident).orElseThrow()) {
			assertThatExceptionOfType(ExecutionRefused.class)
				.isThrownBy(() -> this.executions.runStep(incident, plan, "insert-again", COMMANDER, null, Map.of(), Admission.NONE))
				.withMessageContaining("is running in another tab or console");
		}
		assertThat(rows(target)).isEqualTo(1);
	}

	@Test
	void aViewWaitsOutALeaseHeldForAMomentAndShowsTheStepItFoundInFlightSettled(@Autowired JdbcClient jdbc) throws Exception {
		Target target = this.scratch.create("viewed", "CREATE TABLE counter (n int)");
		ExecutionPlan plan = plan(ExecutionTestRunbooks.withSteps(INSERT_STEP), target);
		long incident = ScratchTargets.nextIncident();
		// What a console killed while sending the step leaves: STARTED, and no marker on the target.
		jdbc.sql("""
				insert into step_run (incident_id, target_id, plan_hash, phase, step_id, attempt, kind, transactional, state,
				                      started_at, actor)
				values (?, ?, ?, 'EXECUTE', 'insert-row', 1, 'SQL', true, 'STARTED', now(), 'commander')
				""").params(incident, target.id(), plan.planHash()).update();
		// The scheduled settlement pass is looking at the incident just as a person opens its page.
		ExecutorLeases.Lease pass = this.leases.take(incident).orElseThrow();
		Thread release = new Thread(() -> {
			sleep(200);
			pass.close();
		});
		release.start();
		assertThat(this.executions.settleSeen(incident, this.executions.journal(incident))).as("the view shows it settled").isTrue();
		release.join();
		assertThat(this.executions.journal(incident)).singleElement()
			.satisfies((run) -> assertThat(run.state()).as(run.resolution()).isEqualTo(StepState.FAILED));
	}

	/**
	 * Two ticks of one item past the executor lease (as if it had failed): the second's insert is
	 * held behind a table lock until both have found no earlier tick, so only the journal's unique
	 * key can tell them apart. One row and one event; the other tick is refused in plain words.
	 */
	@Test
	void twoTicksRacingPastTheLeaseLeaveOneRowAndARefusal(@Autowired StepJournal journal, @Autowired DataSource console,
			@Autowired JdbcClient jdbc) throws Exception {
		Target target = this.scratch.create("ticked", "CREATE TABLE counter (n int)");
		ExecutionPlan plan = plan(ExecutionTestRunbooks.withSteps("""
				      - id: frozen
				        manual: Writes frozen
				"""), target);
		PlannedStep frozen = plan.steps().stream().filter((step) -> step.stepId().equals("frozen")).findFirst().orElseThrow();
		long incident = ScratchTargets.nextIncident();
		ExecutorService pool = Executors.newFixedThreadPool(2);
		try (Connection holder = console.getConnection(); Statement lock = holder.createStatement()) {
			holder.setAutoCommit(false);
			// Reads pass this lock, inserts wait for it.
			lock.execute("LOCK TABLE step_run IN SHARE ROW EXCLUSIVE MODE");
			List<Future<StepRun>> ticks = List.of(pool.submit(() -> journal.tick(incident, plan, frozen, null, COMMANDER)),
					pool.submit(() -> journal.tick(incident, plan, frozen, null, COMMANDER)));
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
			while (waitingInserts(jdbc) < 2) {
				assertThat(System.nanoTime()).as("both ticks wait to insert").isLessThan(deadline);
				sleep(20);
			}
			holder.commit();
			List<Throwable> refusals = new ArrayList<>();
			assertThat(succeeded(ticks, refusals)).isEqualTo(1);
			assertThat(refusals).singleElement()
				.satisfies((refusal) -> assertThat(refusal).hasMessage("Step 'frozen' was just ticked from another tab or console."));
		}
		finally {
			pool.shutdownNow();
		}
		assertThat(this.executions.journal(incident)).singleElement()
			.satisfies((run) -> assertThat(run.state()).isEqualTo(StepState.SUCCEEDED));
		assertThat(jdbc.sql("select count(*) from audit_event where incident_id = ? and action = 'STEP_TICKED'")
			.param(incident).query(Long.class).single()).as("one event: the refused tick's was rolled back").isEqualTo(1);
	}

	/** How many of the runs succeeded; each other one must have been refused, and is added to {@code refusals}. */
	private static int succeeded(List<Future<StepRun>> runs, List<Throwable> refusals) throws Exception {
		int succeeded = 0;
		for (Future<StepRun> run : runs) {
			try {
				succeeded += (run.get(30, TimeUnit.SECONDS).state() == StepState.SUCCEEDED) ? 1 : 0;
			}
			catch (java.util.concurrent.ExecutionException ex) {
				assertThat(ex.getCause()).isInstanceOf(ExecutionRefused.class);
				refusals.add(ex.getCause());
			}
		}
		return succeeded;
	}

	private static long waitingInserts(JdbcClient jdbc) {
		return jdbc.sql("select count(*) from pg_locks l join pg_class c on c.oid = l.relation "
				+ "where c.relname = 'step_run' and l.mode = 'RowExclusiveLock' and not l.granted").query(Long.class).single();
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/** Ends the idle kept session of {@code purpose} on the target, as a restart or a cut proxy would. */
	private void endIdleSession(Target target, TargetConnections.Purpose purpose) throws SQLException {
		try (Connection admin = this.scratch.connect(target); Statement statement = admin.createStatement()) {
			statement.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '"
					+ purpose.idleName() + "' AND datname = current_database()");
		}
	}

	private long keptSessions(Target target) throws SQLException {
		try (Connection connection = this.scratch.connect(target); Statement statement = connection.createStatement();
				ResultSet rs = statement.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE application_name = '"
						+ TargetConnections.Purpose.STEPS.idleName() + "' AND datname = current_database()")) {
			rs.next();
			return rs.getLong(1);
		}
	}

	private StepRun latest(long incident, String stepId) {
		List<StepRun> runs = this.executions.journal(incident).stream().filter((r) -> r.stepId().equals(stepId)).toList();
		return runs.get(runs.size() - 1);
	}

	private long rows(Target target) throws SQLException {
		try (Connection connection = this.scratch.connect(target); Statement statement = connection.createStatement();
				ResultSet rs = statement.executeQuery("SELECT count(*) FROM counter")) {
			rs.next();
			return rs.getLong(1);
		}
	}

}
