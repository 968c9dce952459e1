package dev.backout.incident;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.backout.IntegrationTest;
import dev.backout.ScratchTargets;
import dev.backout.SignedIn;
import dev.backout.approval.Approvals;
import dev.backout.approval.Review;
import dev.backout.execution.Rehearsal;
import dev.backout.runbook.RunbookCatalog;
import dev.backout.security.Role;
import dev.backout.system.DemoTarget;
import dev.backout.target.Environment;
import dev.backout.target.SchemaSnapshots;
import dev.backout.target.Target;
import dev.backout.target.Targets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Rehearsal (issue 13, items 6 and 7), on real PostgreSQL: the plan's transactional steps run in
 * one transaction that is always rolled back. Each guarantee is tested by what would break it: the
 * target compared before and after, a step that fails, a lock another session holds, an incident
 * executing on the database, and a request for approval the policy should refuse.
 */
@IntegrationTest
class RehearsalIntegrationTests {

	static final String RUNBOOK = """
			id: rehearsal-test
			title: Rehearsal test
			migration: { id: "12", tool: sqitch }
			risk: MEDIUM
			summary: Drops what migration 12 added to app.things.
			target: scratch
			decision:
			  start: broken
			  questions:
			    - id: broken
			      ask: Is it broken?
			      answers:
			        - { answer: "Yes", outcome: ROLLBACK }
			        - { answer: "No", outcome: FIX_FORWARD }
			authorization:
			  approvers: [TEAM_LEAD]
			  deadline: 30m%s
			phases:
			  backup:
			    steps:
			      - id: copy-things
			        title: Copy app.things
			        backup: [app.things]
			  execute:
			    steps:
			      - id: drop-index
			        title: Drop the index
			        sql: DROP INDEX IF EXISTS app.things_n;
			      - id: forget-odd
			        title: Delete the odd rows
			        sql: DELETE FROM app.things WHERE n %% 2 = 1;
			      - id: concurrently
			        title: Rebuild the other index
			        sql: REINDEX INDEX CONCURRENTLY app.things_pkey;
			        transaction: false
			      - id: %s
			        title: Drop the column
			        sql: ALTER TABLE app.%s DROP COLUMN IF EXISTS extra;
			        destructive: true
			        confirm: DROP extra
			        countBefore: SELECT count(*) FROM app.things WHERE extra IS NOT NULL
			  verify:
			    steps:
			      - id: column-gone
			        title: The column is gone
			        check: SELECT count(*) FROM information_schema.columns WHERE table_name = 'things' AND column_name = 'extra'
			        expect: { equals: 0 }
			      - id: evens-left
			        title: Only even rows are left
			        check: SELECT count(*) FROM app.things
			        expect: { equals: 10 }
			  after:
			    steps:
			      - id: told
			        manual: Stakeholders told
			""";

	static final Path RUNBOOKS = Path.of("target", "test-runbooks");

	@Autowired
	Incidents incidents;

	@Autowired
	IncidentApprovals incidentApprovals;

	@Autowired
	Rehearsals rehearsals;

	@Autowired
	Approvals approvals;

	@Autowired
	JdbcClient jdbc;

	@Autowired
	RunbookCatalog catalog;

	@Autowired
	DemoTarget demo;

	@Autowired
	Targets targets;

	Authentication commander;

	Target target;

	@BeforeEach
	void prepare() throws Exception {
		this.commander = SignedIn.as("commander", Role.COMMANDER);
		writeRunbook("", "drop-column", "things");
		this.target = new ScratchTargets(this.demo, this.targets).create("rehearsal-" + System.nanoTime() % 1_000_000, """
				CREATE SCHEMA app;
				CREATE TABLE app.things (n int PRIMARY KEY, extra text);
				CREATE INDEX things_n ON app.things (n);
				INSERT INTO app.things SELECT g, 'x' || g FROM generate_series(1, 20) g;
				CREATE SEQUENCE app.ticket;""");
	}

	@AfterEach
	void signOut() {
		SecurityContextHolder.clearContext();
	}

	@Test
	void aRehearsalRunsEveryTransactionalStepAndLeavesTheTargetAsItWas() throws Exception {
		Incident incident = decided();
		String catalogBefore = catalogOf(this.target);
		Map<String, Long> rowsBefore = rowCounts(this.target);

		Rehearsal rehearsal = this.rehearsals.rehearse(incident.id(), null, this.commander);

		assertThat(rehearsal.passed()).as(rehearsal.summary()).isTrue();
		assertThat(rehearsal.planHash()).isEqualTo(this.incidents.get(incident.id()).planHash());
		assertThat(rehearsal.steps()).extracting(Rehearsal.Step::stepId)
			.containsExactly("copy-things", "drop-index", "forget-odd", "concurrently", "drop-column", "column-gone", "evens-left", "told");
		assertThat(step(rehearsal, "copy-things").value()).isEqualTo("app.things: 20 rows to copy");
		assertThat(step(rehearsal, "forget-odd").rows()).isEqualTo(10);
		assertThat(step(rehearsal, "forget-odd").locks()).contains("RowExclusiveLock on things");
		assertThat(step(rehearsal, "drop-index").locks()).contains("AccessExclusiveLock on things");
		assertThat(step(rehearsal, "drop-column").value()).isEqualTo("rows at stake: 10");
		// Locks are those a step is the first to take: the table is exclusively locked since "drop-index" already.
		assertThat(step(rehearsal, "drop-column").locks()).doesNotContain("AccessExclusiveLock on things");
		assertThat(step(rehearsal, "concurrently").result()).isEqualTo(Rehearsal.Result.NOT_REHEARSABLE);
		assertThat(step(rehearsal, "told").result()).isEqualTo(Rehearsal.Result.CHECKLIST);
		// The verify checks saw the rehearsed changes: the column gone and ten rows left, inside the transaction.
		assertThat(step(rehearsal, "column-gone").result()).isEqualTo(Rehearsal.Result.PASSED);
		assertThat(step(rehearsal, "evens-left").value()).isEqualTo("10");
		assertThat(rehearsal.steps()).allSatisfy((step) -> assertThat(step.result()).isNotEqualTo(Rehearsal.Result.FAILED));

		assertThat(catalogOf(this.target)).as("the target's catalog after the rehearsal").isEqualTo(catalogBefore);
		assertThat(rowCounts(this.target)).as("row counts after the rehearsal").isEqualTo(rowsBefore);
		assertThat(this.rehearsals.latest(incident.id())).hasValueSatisfying((stored) -> assertThat(stored.summary()).isEqualTo(rehearsal.summary()));
	}

	@Test
	void aFailingStepIsCaughtWithItsErrorAndNothingAfterItRuns() throws Exception {
		writeRunbook("", "drop-column", "thingz");
		Incident incident = decided();
		String catalogBefore = catalogOf(this.target);
		Map<String, Long> rowsBefore = rowCounts(this.target);

		Rehearsal rehearsal = this.rehearsals.rehearse(incident.id(), null, this.commander);

		assertThat(rehearsal.passed()).isFalse();
		assertThat(rehearsal.failure()).hasValueSatisfying((failed) -> {
			assertThat(failed.stepId()).isEqualTo("drop-column");
			assertThat(failed.error()).contains("relation \"app.thingz\" does not exist", "42P01");
		});
		assertThat(step(rehearsal, "column-gone").result()).isEqualTo(Rehearsal.Result.NOT_REACHED);
		assertThat(rehearsal.summary()).startsWith("Failed: failed at \"Drop the column\"");
		assertThat(catalogOf(this.target)).isEqualTo(catalogBefore);
		assertThat(rowCounts(this.target)).isEqualTo(rowsBefore);
	}

	@Test
	void aLockHeldByAnotherSessionFailsTheRehearsalFastInsteadOfQueueingTraffic() throws Exception {
		Incident incident = decided();
		try (Connection holder = connect(this.target); Statement statement = holder.createStatement()) {
			holder.setAutoCommit(false);
			statement.execute("LOCK TABLE app.things IN ACCESS SHARE MODE"); // a long report, say: blocks DROP INDEX's lock
			long start = System.nanoTime();
			Rehearsal rehearsal = this.rehearsals.rehearse(incident.id(), null, this.commander);
			long waited = (System.nanoTime() - start) / 1_000_000;
			assertThat(rehearsal.failure()).hasValueSatisfying((failed) -> {
				assertThat(failed.stepId()).isEqualTo("drop-index");
				assertThat(failed.error()).contains("lock timeout of 2 s");
			});
			assertThat(waited).as("ms the rehearsal waited (its lock timeout is 2 s; the step's own is 5 s)").isLessThan(5_000);
			holder.rollback();
		}
	}

	@Test
	void aRehearsalNeverOverlapsAStepOnTheSameDatabase() throws Exception {
		Incident incident = decided();
		try (Connection executing = connect(this.target); Statement statement = executing.createStatement()) {
			// What an executing step's session holds while it runs.
			statement.execute("SELECT pg_advisory_lock(" + dev.backout.system.ExecutionLock.CLASS_ID + ", "
					+ dev.backout.system.ExecutionLock.OBJECT_ID + ")");
			assertThatThrownBy(() -> this.rehearsals.rehearse(incident.id(), null, this.commander))
				.hasMessageContaining("is busy");
		}
	}

	@Test
	void onlyTheCommanderRehearsesOnlyBeforeApprovalOnlyInTheAliasGroup() throws Exception {
		Incident incident = decided();
		Target elsewhere = this.targets.register(new Targets.TargetSpec("elsewhere-" + System.nanoTime() % 1_000_000, "other",
				Environment.STAGING, this.target.jdbcUrl(), this.demo.username(), this.demo.password()),
				SignedIn.as("admin", Role.ADMIN));
		SignedIn.as("commander", Role.COMMANDER);
		assertThatThrownBy(() -> this.rehearsals.rehearse(incident.id(), elsewhere.id(), this.commander))
			.isInstanceOf(IncidentRefused.class)
			.hasMessageContaining("alias group");
		Authentication lead = SignedIn.as("lead", Role.TEAM_LEAD);
		assertThatThrownBy(() -> this.rehearsals.rehearse(incident.id(), null, lead)).isInstanceOf(AccessDeniedException.class);
		Authentication otherCommander = SignedIn.as("commander2", Role.COMMANDER);
		assertThatThrownBy(() -> this.rehearsals.rehearse(incident.id(), null, otherCommander)).isInstanceOf(IncidentRefused.class);
		SignedIn.as("commander", Role.COMMANDER);
		this.incidentApprovals.requestApproval(incident.id(), this.incidents.get(incident.id()).version(), this.commander);
		assertThatThrownBy(() -> this.rehearsals.rehearse(incident.id(), null, this.commander))
			.isInstanceOf(IncidentRefused.class)
			.hasMessageContaining("before approval is requested");
		this.approvals.withdraw(incident.id(), this.commander, "test done");
	}

	@Test
	void aRunbookThatRequiresARehearsalGetsApprovalRequestedOnlyAfterOneOrWithAReason() throws Exception {
		writeRunbook("\n  rehearsal: { required: true, within: 1h }", "drop-column", "things");
		Incident incident = decided();
		assertThatThrownBy(() -> this.incidentApprovals.requestApproval(incident.id(), incident.version(), this.commander))
			.isInstanceOf(IncidentRefused.class)
			.hasMessage("The runbook requires a passing rehearsal of the plan within 1 hour: rehearse it, or give a reason to "
					+ "request approval without one (the approvers read it).");

		this.rehearsals.rehearse(incident.id(), null, this.commander);
		Incident requested = this.incidentApprovals.requestApproval(incident.id(), incident.version(), this.commander);
		assertThat(requested.state()).isEqualTo(IncidentState.AWAITING_APPROVAL);
		Review.Rehearsed shown = review(incident.id()).rehearsal();
		assertThat(shown.required()).isTrue();
		assertThat(shown.result()).startsWith("Passed: 6 step(s) ran and were rolled back on " + this.target.name())
			.endsWith("; 1 step(s) outside a transaction not rehearsable; 1 checklist item(s) left to people.");
		assertThat(shown.steps()).contains("Rebuild the other index: not rehearsable (runs outside a transaction)");
		assertThat(shown.withoutReason()).isNull();
		this.approvals.withdraw(incident.id(), this.commander, "test done");
	}

	@Test
	void aProductionTargetRequiresARehearsalAndTheApproverReadsTheReasonToGoWithout() throws Exception {
		this.targets.update(this.target.id(), Targets.TargetSpec.of(this.target).withEnvironment(Environment.PRODUCTION),
				SignedIn.as("admin", Role.ADMIN));
		SignedIn.as("commander", Role.COMMANDER);
		Incident incident = decided();
		assertThatThrownBy(() -> this.incidentApprovals.requestApproval(incident.id(), incident.version(), "  ", this.commander))
			.isInstanceOf(IncidentRefused.class)
			.hasMessageStartingWith("Targets in production require a passing rehearsal of the plan within 24 hours");

		// A failed rehearsal does not count.
		writeRunbook("", "drop-column", "thingz");
		Incident failing = decided();
		assertThat(this.rehearsals.rehearse(failing.id(), null, this.commander).passed()).isFalse();
		assertThatThrownBy(() -> this.incidentApprovals.requestApproval(failing.id(), failing.version(), this.commander))
			.isInstanceOf(IncidentRefused.class);

		Incident requested = this.incidentApprovals.requestApproval(incident.id(), incident.version(),
				"The staging copy is down and the outage costs more than the risk", this.commander);
		assertThat(requested.state()).isEqualTo(IncidentState.AWAITING_APPROVAL);
		Review.Rehearsed shown = review(incident.id()).rehearsal();
		assertThat(shown.result()).isNull();
		assertThat(shown.withoutReason()).isEqualTo("The staging copy is down and the outage costs more than the risk");
		this.approvals.withdraw(incident.id(), this.commander, "test done");
	}

	@Test
	void aPlanThatChangedSinceItsRehearsalIsNotCoveredByIt() throws Exception {
		writeRunbook("\n  rehearsal: { required: true }", "drop-column", "things");
		Incident incident = decided();
		this.rehearsals.rehearse(incident.id(), null, this.commander);
		// The runbook changes (a new version) and the incident switches to it: a new plan, not rehearsed.
		writeRunbook("\n  rehearsal: { required: true }", "drop-extra-column", "things");
		Incident switched = this.incidents.switchToActiveRunbook(incident.id(), this.incidents.get(incident.id()).version(),
				this.commander);
		assertThat(switched.planHash()).isNotEqualTo(incident.planHash());
		assertThatThrownBy(() -> this.incidentApprovals.requestApproval(incident.id(), switched.version(), this.commander))
			.isInstanceOf(IncidentRefused.class)
			.hasMessageContaining("requires a passing rehearsal");
	}

	private Incident decided() {
		SignedIn.as("commander", Role.COMMANDER);
		Incident incident = this.incidents.open(new Incidents.Opening("rehearsal-test", this.target.id(), "Things broke", Severity.SEV2,
				null), this.commander);
		incident = this.incidents.answer(incident.id(), incident.version(), "broken", "Yes", this.commander);
		return this.incidents.confirmDecision(incident.id(), incident.version(), null, this.commander);
	}

	private Review review(long incidentId) {
		return this.approvals.review(this.approvals.viewQuery(incidentId).readWith(this.jdbc).orElseThrow().request().review());
	}

	private void writeRunbook(String authorization, String stepId, String table) throws Exception {
		Files.createDirectories(RUNBOOKS);
		Files.writeString(RUNBOOKS.resolve("rehearsal-test.yaml"), RUNBOOK.formatted(authorization, stepId, table));
		this.catalog.reload(null);
		assertThat(this.catalog.find("rehearsal-test")).as(String.valueOf(this.catalog.problems())).isPresent();
	}

	private static Rehearsal.Step step(Rehearsal rehearsal, String stepId) {
		return rehearsal.steps().stream().filter((step) -> step.stepId().equals(stepId)).findFirst().orElseThrow();
	}

	private Connection connect(Target on) throws SQLException {
		return DriverManager.getConnection(on.jdbcUrl(), this.demo.username(), this.demo.password());
	}

	private String catalogOf(Target on) throws SQLException {
		try (Connection connection = connect(on)) {
			return SchemaSnapshots.capture(connection);
		}
	}

	/** Every user table's rows, and the sequence's position (a rehearsal must not move it either: no step here does). */
	private Map<String, Long> rowCounts(Target on) throws SQLException {
		Map<String, Long> counts = new LinkedHashMap<>();
		try (Connection connection = connect(on); Statement statement = connection.createStatement()) {
			try (ResultSet tables = statement.executeQuery("""
					SELECT format('%I.%I', schemaname, relname) FROM pg_stat_user_tables ORDER BY 1""")) {
				while (tables.next()) {
					counts.put(tables.getString(1), null);
				}
			}
			for (String table : counts.keySet()) {
				try (ResultSet rs = statement.executeQuery("SELECT count(*) FROM " + table)) {
					rs.next();
					counts.put(table, rs.getLong(1));
				}
			}
			try (ResultSet rs = statement.executeQuery("SELECT last_value FROM app.ticket")) {
				rs.next();
				counts.put("app.ticket (sequence)", rs.getLong(1));
			}
		}
		return counts;
	}

}
