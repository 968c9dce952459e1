package dev.backout.execution;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.backout.FaultyLink;
import dev.backout.IntegrationTest;
import dev.backout.ScratchTargets;
import dev.backout.runbook.Outcome;
import dev.backout.runbook.Runbook;
import dev.backout.system.DemoTarget;
import dev.backout.target.ConnectionCheck;
import dev.backout.target.Environment;
import dev.backout.target.Target;
import dev.backout.target.Targets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.web.servlet.MockMvc;

import static dev.backout.ScratchTargets.COMMANDER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.hamcrest.Matchers.containsString;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.flash;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * Faults at the worst moments, on a real PostgreSQL: a TCP proxy ({@link FaultyLink}) between
 * the console and the target cuts the connection mid-statement or after the server committed but
 * before its answer arrives, or freezes it like a partition; the console's own database fails
 * between the target's COMMIT and the journal write. Each case checks that the journal tells the
 * target's truth, that no step's rows are applied twice (counted on the target), and that every
 * call ends within its bound plus two seconds.
 */
@IntegrationTest
class FaultInjectionIntegrationTests {

	static final Duration GRACE = Duration.ofSeconds(2);

	@Autowired
	Executions executions;

	@Autowired
	Targets targets;

	@Autowired
	DemoTarget demo;

	@Autowired
	JdbcClient jdbc;

	@Autowired
	MockMvc mvc;

	ScratchTargets scratch;

	final List<AutoCloseable> links = new ArrayList<>();

	final ExecutorService pool = Executors.newCachedThreadPool();

	@BeforeEach
	void scratch() {
		this.scratch = new ScratchTargets(this.demo, this.targets);
	}

	@AfterEach
	void closeLinks() throws Exception {
		CrashPoint.arm(null);
		this.pool.shutdownNow();
		for (AutoCloseable link : this.links) {
			link.close();
		}
	}

	@Test
	void aLostCommitAcknowledgementIsSettledFromTheMarkerAndTheStepIsNeverSentAgain() throws Exception {
		Target direct = this.scratch.create("lost-ack", "CREATE TABLE counter (n int)");
		FaultyLink link = link(direct);
		Target target = throughLink(direct, link, "lost-ack-link");
		ExecutionPlan plan = plan(ExecutionIntegrationTests.INSERT_STEP, target);
		long incident = ScratchTargets.nextIncident();

		link.cutAfterServerAnswers("COMMIT");
		StepRun run = this.executions.runStep(incident, plan, "insert-row", COMMANDER, null, Map.of(), Admission.NONE);

		assertThat(link.awaitCut(1)).as("the proxy cut the COMMIT's answer").isTrue();
		assertThat(run.state()).isEqualTo(StepState.SUCCEEDED);
		assertThat(run.resolution()).contains("The target holds this attempt's marker: the step committed.");
		assertThat(rows(direct)).isEqualTo(1);
		assertThatExceptionOfType(ExecutionRefused.class)
			.isThrownBy(() -> this.executions.runStep(incident, plan, "insert-row", COMMANDER, null, Map.of(), Admission.NONE));
		assertThat(rows(direct)).isEqualTo(1);
		assertThat(markers(direct, incident)).isEqualTo(1);
	}

	@Test
	void aConnectionCutMidStatementCountsAsNotAppliedOnlyOnceTheOldSessionHasEnded() throws Exception {
		Target direct = this.scratch.create("cut-mid", "CREATE TABLE counter (n int)");
		FaultyLink link = link(direct);
		Target target = throughLink(direct, link, "cut-mid-link");
		ExecutionPlan plan = plan("""
				      - id: insert-slowly
				        title: Insert a row slowly
				        sql: INSERT INTO counter (n) VALUES (1); SELECT pg_sleep(3);
				""", target);
		long incident = ScratchTargets.nextIncident();

		link.cutWhenClientSends("pg_sleep");
		StepRun run = this.executions.runStep(incident, plan, "insert-slowly", COMMANDER, null, Map.of(), Admission.NONE);

		assertThat(run.state()).isEqualTo(StepState.FAILED);
		assertThat(run.error()).contains("The step's session on the target has ended and the target holds no marker of this attempt");
		assertThat(sessionsOf(direct, incident)).as("the old backend is gone").isZero();
		assertThat(rows(direct)).isZero();
		StepRun retried = this.executions.runStep(incident, plan, "insert-slowly", COMMANDER, null, Map.of(), Admission.NONE);
		assertThat(retried.state()).isEqualTo(StepState.SUCCEEDED);
		assertThat(rows(direct)).isEqualTo(1);
	}

	@Test
	void aLostJournalRowNeverLeadsToASecondSend() throws Exception {
		Target target = this.scratch.create("lost-row", "CREATE TABLE counter (n int)");
		ExecutionPlan plan = plan(ExecutionIntegrationTests.INSERT_STEP, target);
		long incident = ScratchTargets.nextIncident();
		assertThat(this.executions.runStep(incident, plan, "insert-row", COMMANDER, null, Map.of(), Admission.NONE).state())
			.isEqualTo(StepState.SUCCEEDED);
		try (Connection console = this.scratch.connect("backout"); Statement statement = console.createStatement()) {
			statement.execute("DELETE FROM step_run WHERE incident_id = " + incident);
		}

		StepRun again = this.executions.runStep(incident, plan, "insert-row", COMMANDER, null, Map.of(), Admission.NONE);

		assertThat(again.state()).isEqualTo(StepState.SUCCEEDED);
		assertThat(again.resolution()).startsWith("Not sent: the target already holds this step's marker (attempt 1)");
		assertThat(rows(target)).isEqualTo(1);
	}

	@Test
	void aStepOutsideATransactionThatFailsHalfWayIsUnknownSoItsAppliedStatementsAreNeverResent() throws Exception {
		Target target = this.scratch.create("half-way", "CREATE TABLE counter (n int)");
		ExecutionPlan plan = plan("""
				      - id: two-statements
				        title: Insert, then fail
				        sql: INSERT INTO counter (n) VALUES (1); SELECT 1 / 0;
				        transaction: false
				""", target);
		long incident = ScratchTargets.nextIncident();

		StepRun run = this.executions.runStep(incident, plan, "two-statements", COMMANDER, null, Map.of(), Admission.NONE);

		assertThat(run.state()).isEqualTo(StepState.UNKNOWN);
		assertThat(run.error()).contains("division by zero").contains("1 of 2 statements were applied before it");
		assertThatExceptionOfType(ExecutionRefused.class)
			.isThrownBy(() -> this.executions.runStep(incident, plan, "two-statements", COMMANDER, null, Map.of(),
					Admission.NONE))
			.withMessageContaining("a person must resolve it first");
		assertThat(rows(target)).isEqualTo(1);
	}

	@Test
	void aFrozenTargetEndsTheStepWithinItsTimeoutPlusTheMarginAndTheOutcomeIsProven() throws Exception {
		Target direct = this.scratch.create("frozen", "CREATE TABLE counter (n int)");
		FaultyLink link = link(direct);
		Target target = throughLink(direct, link, "frozen-link");
		ExecutionPlan plan = plan("""
				      - id: slow
				        title: A statement that outlives its timeout
				        sql: INSERT INTO counter (n) VALUES (1); SELECT pg_sleep(10);
				        timeout: 3s
				""", target);
		long incident = ScratchTargets.nextIncident();
		long started = System.nanoTime();
		Future<StepRun> running = inFlight(incident, plan, "slow");
		link.freeze();
		link.heal(); // new connections pass again: the frozen one stays dead to both ends
		StepRun run = running.get(30, TimeUnit.SECONDS);
		Duration took = Duration.ofNanos(System.nanoTime() - started);

		assertThat(took).as("statement timeout 3 s + margin 2 s, + 2 s").isLessThan(Duration.ofSeconds(7));
		assertThat(run.state()).isEqualTo(StepState.FAILED);
		assertThat(run.error()).startsWith("The console lost the step's session: the target stopped answering");
		assertThat(rows(direct)).isZero();
	}

	@Test
	void aPartitionedTargetLeavesTheStepBeingSettledUntilTheMarkerCanBeAsked() throws Exception {
		Target direct = this.scratch.create("partition", "CREATE TABLE counter (n int)");
		FaultyLink link = link(direct);
		Target target = throughLink(direct, link, "partition-link");
		ExecutionPlan plan = plan("""
				      - id: slow
				        title: A slow insert
				        sql: INSERT INTO counter (n) VALUES (1); SELECT pg_sleep(10);
				        timeout: 3s
				""", target);
		long incident = ScratchTargets.nextIncident();
		long started = System.nanoTime();
		Future<StepRun> running = inFlight(incident, plan, "slow");
		link.partition();
		StepRun run = running.get(30, TimeUnit.SECONDS);
		Duration took = Duration.ofNanos(System.nanoTime() - started);

		assertThat(took).as("the step's bound (5 s) and one connection attempt (5 s), + 2 s each")
			.isLessThan(Duration.ofSeconds(14));
		assertThat(run.state()).isEqualTo(StepState.STARTED);
		assertThat(run.beingSettled()).isTrue();
		assertThatExceptionOfType(ExecutionRefused.class)
			.isThrownBy(() -> this.executions.runStep(incident, plan, "slow", COMMANDER, null, Map.of(), Admission.NONE))
			.withMessageContaining("nothing was sent");
		assertThat(this.executions.journal(incident)).hasSize(1);

		link.heal();
		// The periodic pass may hold the incident's lease while it waits on the partition: ask until settled.
		StepRun settled = this.executions.journal(incident).get(0);
		for (int i = 0; i < 40 && settled.state() == StepState.STARTED; i++) {
			this.executions.settle(incident, COMMANDER);
			settled = this.executions.journal(incident).get(0);
			Thread.sleep(250);
		}
		assertThat(settled.state()).isEqualTo(StepState.FAILED);
		assertThat(rows(direct)).isZero();
	}

	@Test
	void cancelDropsAConnectionTheTargetNoLongerAnswersOn() throws Exception {
		Target direct = this.scratch.create("cancel-frozen", "CREATE TABLE counter (n int)");
		FaultyLink link = link(direct);
		Target target = throughLink(direct, link, "cancel-frozen-link");
		ExecutionPlan plan = plan("""
				      - id: long
				        title: A long statement
				        sql: SELECT pg_sleep(60);
				        timeout: 120s
				""", target);
		long incident = ScratchTargets.nextIncident();
		Future<StepRun> running = inFlight(incident, plan, "long");
		link.freeze();
		link.heal();
		long started = System.nanoTime();
		String result = this.executions.cancel(incident, COMMANDER);
		StepRun run = running.get(10, TimeUnit.SECONDS);

		assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Executions.CANCEL_GRACE.plus(Duration.ofSeconds(4)));
		assertThat(result).contains("the console dropped its connection");
		assertThat(run.state()).isEqualTo(StepState.FAILED);
		assertThat(sessionsOf(direct, incident)).isZero();
	}

	@Test
	void aFailingConsoleDatabaseAfterTheTargetCommittedIsToldTruthfullyAndSettledFromTheMarker() throws Exception {
		Target target = this.scratch.create("console-down", "CREATE TABLE counter (n int)");
		ExecutionPlan plan = plan(ExecutionIntegrationTests.INSERT_STEP, target);
		long incident = ScratchTargets.nextIncident();
		String role = consoleRole();
		CrashPoint.arm(CrashPoint.BEFORE_OUTCOME_RECORDED, () -> consoleSql("REVOKE UPDATE ON step_run FROM " + role));
		try {
			assertThatExceptionOfType(OutcomeNotRecorded.class)
				.isThrownBy(() -> this.executions.runStep(incident, plan, "insert-row", COMMANDER, null, Map.of(), Admission.NONE))
				.withMessageStartingWith("The target answered \"Insert a row\" (succeeded), but the console's database failed");
			assertThat(this.executions.journal(incident).get(0).state()).isEqualTo(StepState.STARTED);
		}
		finally {
			consoleSql("GRANT UPDATE ON step_run TO " + role);
		}
		this.executions.settle(incident, COMMANDER);

		assertThat(this.executions.journal(incident).get(0).state()).isEqualTo(StepState.SUCCEEDED);
		assertThat(rows(target)).isEqualTo(1);
		assertThatExceptionOfType(ExecutionRefused.class)
			.isThrownBy(() -> this.executions.runStep(incident, plan, "insert-row", COMMANDER, null, Map.of(), Admission.NONE));
		assertThat(rows(target)).isEqualTo(1);
	}

	@Test
	void aTerminatedBackendIsReportedWithTheServersReason() throws Exception {
		Target target = this.scratch.create("terminated", "CREATE TABLE counter (n int)");
		ExecutionPlan plan = plan("""
				      - id: sleep
				        title: A long statement
				        sql: SELECT pg_sleep(30);
				""", target);
		long incident = ScratchTargets.nextIncident();
		Future<StepRun> running = inFlight(incident, plan, "sleep");
		try (Connection admin = this.scratch.connect(target); Statement statement = admin.createStatement()) {
			statement.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = "
					+ "'backout incident " + incident + "'");
		}
		StepRun run = running.get(15, TimeUnit.SECONDS);

		assertThat(run.state()).isEqualTo(StepState.FAILED);
		assertThat(run.error()).contains("terminating connection due to administrator command")
			.contains("57P01")
			.doesNotContain("This connection has been closed");
	}

	@Test
	void aLockHeldByAnotherRolesSessionIsExplainedWithoutALiteralNull() throws Exception {
		Target owned = this.scratch.create("other-role", """
				CREATE TABLE busy (n int);
				DO $$ BEGIN CREATE ROLE backout_lowpriv LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
				GRANT ALL ON busy TO backout_lowpriv;""");
		try (Connection admin = this.scratch.connect(owned); Statement statement = admin.createStatement()) {
			statement.execute("GRANT CREATE ON DATABASE " + owned.jdbcUrl().replaceFirst(".*/([^/?]+).*$", "$1")
					+ " TO backout_lowpriv");
		}
		Target target = this.targets.update(owned.id(), new Targets.TargetSpec(owned.name(), "scratch", Environment.STAGING,
				owned.jdbcUrl(), "backout_lowpriv", null), COMMANDER);
		ExecutionPlan plan = plan("""
				      - id: update-busy
				        title: Update the busy table
				        sql: UPDATE busy SET n = 1;
				        lockTimeout: 1s
				""", target);
		try (Connection holder = this.scratch.connect(target)) {
			holder.setAutoCommit(false);
			try (Statement statement = holder.createStatement()) {
				statement.execute("LOCK TABLE busy IN ACCESS EXCLUSIVE MODE");
			}
			StepRun run = this.executions.runStep(ScratchTargets.nextIncident(), plan, "update-busy", COMMANDER, null,
					Map.of(), Admission.NONE);

			assertThat(run.sqlstate()).isEqualTo("55P03");
			assertThat(run.error()).contains("state not visible to this role").doesNotContain("null");
			holder.rollback();
		}
	}

	@Test
	void aRefusedRunRequestLeavesItsTraceInTheTrail() throws Exception {
		Target target = this.scratch.create("refused", "CREATE TABLE counter (n int)");
		ExecutionPlan plan = plan(ExecutionIntegrationTests.INSERT_STEP, target);
		long incident = ScratchTargets.nextIncident();

		assertThatExceptionOfType(ExecutionRefused.class)
			.isThrownBy(() -> this.executions.runStep(incident, plan, "verified", COMMANDER, null, Map.of(), Admission.NONE));

		assertThat(this.jdbc.sql("SELECT details::text FROM audit_event WHERE incident_id = ? AND action = 'STEP_REFUSED'")
			.param(incident)
			.query(String.class)
			.list()).singleElement().asString().contains("is not next");
	}

	@Test
	void recoverOnDemandSaysWhatItCouldNotSettleAndWhy() throws Exception {
		Target gone = this.scratch.register("recover-gone", "jdbc:postgresql://127.0.0.1:1/nothing");
		long incident = ScratchTargets.nextIncident();
		consoleSql("""
				INSERT INTO step_run (incident_id, target_id, plan_hash, phase, step_id, attempt, kind, transactional, state,
				  started_at, actor)
				VALUES (%d, %d, repeat('0', 64), 'EXECUTE', 'insert-row', 1, 'SQL', true, 'STARTED', now(), 'commander')"""
			.formatted(incident, gone.id()));
		try {
			this.mvc.perform(post("/admin/targets/recover").with(user("admin").roles("ADMIN")).with(csrf()))
				.andExpect(status().is3xxRedirection())
				.andExpect(flash().attribute("error", containsString("incident " + incident + " step insert-row: target "
						+ "recover-gone cannot be reached")));
		}
		finally {
			consoleSql("DELETE FROM step_run WHERE incident_id = " + incident);
		}
	}

	@Test
	void testConnectionToASilentServiceEndsWithinItsBound() throws Exception {
		try (ServerSocket silent = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
			List<Socket> accepted = new ArrayList<>();
			Thread acceptor = new Thread(() -> {
				try {
					while (true) {
						accepted.add(silent.accept());
					}
				}
				catch (Exception ex) {
					// closed
				}
			});
			acceptor.setDaemon(true);
			acceptor.start();
			Target target = this.scratch.register("silent", "jdbc:postgresql://127.0.0.1:" + silent.getLocalPort() + "/nothing");
			long started = System.nanoTime();
			ConnectionCheck check = this.targets.test(target.id(), COMMANDER);

			assertThat(Duration.ofNanos(System.nanoTime() - started))
				.isLessThan(Targets.CONNECT_TIMEOUT.plus(GRACE));
			assertThat(check.reachable()).isFalse();
		}
	}

	@Test
	void everyConsoleCallToATargetCarriesStatementAndLockTimeouts() throws Exception {
		Target target = this.scratch.create("limits", "CREATE TABLE counter (n int)");
		try (Connection connection = this.targets.connect(target, "backout test");
				Statement statement = connection.createStatement();
				ResultSet rs = statement.executeQuery("SELECT current_setting('statement_timeout'), "
						+ "current_setting('lock_timeout')")) {
			rs.next();
			assertThat(rs.getString(1)).isEqualTo("10s");
			assertThat(rs.getString(2)).isEqualTo("2s");
			assertThat(connection.getNetworkTimeout()).isEqualTo(12_000);
		}
	}

	@Test
	void theConsoleDatabaseIsDurable() {
		assertThat(this.jdbc.sql("SHOW fsync").query(String.class).single()).isEqualTo("on");
		assertThat(this.jdbc.sql("SHOW synchronous_commit").query(String.class).single()).isEqualTo("on");
	}

	/** Starts the step on another thread and returns once its statement has reached the target. */
	private Future<StepRun> inFlight(long incident, ExecutionPlan plan, String stepId) throws InterruptedException {
		Future<StepRun> running = this.pool
			.submit(() -> this.executions.runStep(incident, plan, stepId, COMMANDER, null, Map.of(), Admission.NONE));
		awaitInFlight(incident);
		return running;
	}

	private void awaitInFlight(long incident) throws InterruptedException {
		for (int i = 0; i < 100; i++) {
			List<StepRun> journal = this.executions.journal(incident);
			if (!journal.isEmpty() && journal.get(journal.size() - 1).state() == StepState.STARTED) {
				Thread.sleep(300); // the statement has reached the target
				return;
			}
			Thread.sleep(50);
		}
		throw new AssertionError("the step never started");
	}

	private FaultyLink link(Target direct) throws Exception {
		FaultyLink link = ScratchTargets.linkTo(direct);
		this.links.add(link);
		return link;
	}

	private Target throughLink(Target direct, FaultyLink link, String name) {
		return this.scratch.through(link, direct, name);
	}

	private ExecutionPlan plan(String steps, Target target) {
		Runbook runbook = ExecutionTestRunbooks.withSteps(steps);
		return ExecutionPlan.of(runbook, "test", Outcome.ROLLBACK, List.of(), target);
	}

	private long rows(Target target) throws SQLException {
		return count(target, "SELECT count(*) FROM counter");
	}

	private long markers(Target target, long incident) throws SQLException {
		return count(target, "SELECT count(*) FROM backout.applied_step WHERE incident_id = " + incident);
	}

	private long sessionsOf(Target target, long incident) throws SQLException {
		return count(target, "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'backout incident " + incident + "'");
	}

	private long count(Target target, String sql) throws SQLException {
		try (Connection connection = this.scratch.connect(target); Statement statement = connection.createStatement();
				ResultSet rs = statement.executeQuery(sql)) {
			rs.next();
			return rs.getLong(1);
		}
	}

	private String consoleRole() {
		return this.jdbc.sql("SELECT current_user").query(String.class).single();
	}

	private void consoleSql(String sql) {
		try (Connection console = this.scratch.connect("backout"); Statement statement = console.createStatement()) {
			statement.execute(sql);
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
