package dev.backout.incident;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import dev.backout.ScratchTargets;
import dev.backout.SignedIn;
import dev.backout.approval.Approval;
import dev.backout.approval.Approvals;
import dev.backout.approval.ReviewedPlans;
import dev.backout.runbook.RunbookCatalog;
import dev.backout.security.Role;
import dev.backout.target.Target;

import org.springframework.security.core.Authentication;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Approved incidents of a runbook whose first step runs outside a transaction, and what a
 * console killed in the middle of that step leaves behind: its journal row STARTED, no live
 * executor, the index half-way or there. Not a bean: shared by integration and browser tests.
 */
final class InterruptedSteps {

	static final String PASSWORD = "demo-password-for-tests";

	static final String RUNBOOK = """
			id: fault-test
			title: Fault workflow test
			migration: { id: "9", tool: sql }
			risk: LOW
			summary: A runbook with a step outside a transaction.
			target: scratch
			triggers:
			  rollbackIf: [It is broken]
			  doNotRollbackIf: [It can be fixed forward]
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
			  deadline: 30m
			phases:
			  execute:
			    steps:
			      - id: build-index
			        title: Build the index
			        sql: CREATE INDEX CONCURRENTLY IF NOT EXISTS things_n ON things (n);
			        transaction: false
			      - id: add-column
			        title: Add a column
			        sql: ALTER TABLE things ADD COLUMN IF NOT EXISTS extra int;
			  verify:
			    steps:
			      - id: index-there
			        title: The index exists
			        check: SELECT count(*) FROM pg_indexes WHERE indexname = 'things_n'
			        expect: { equals: 1 }
			""";

	private final Incidents incidents;

	private final IncidentApprovals incidentApprovals;

	private final IncidentSteps incidentSteps;

	private final Approvals approvals;

	private final ScratchTargets scratch;

	InterruptedSteps(Incidents incidents, IncidentApprovals incidentApprovals, IncidentSteps incidentSteps, Approvals approvals,
			ScratchTargets scratch) {
		this.incidents = incidents;
		this.incidentApprovals = incidentApprovals;
		this.incidentSteps = incidentSteps;
		this.approvals = approvals;
		this.scratch = scratch;
	}

	/** Writes the runbook and a scratch target with a table {@code things} of 20 rows. */
	static Target prepare(RunbookCatalog catalog, ScratchTargets scratch, String name) throws Exception {
		Path runbooks = Path.of("target", "test-runbooks");
		Files.createDirectories(runbooks);
		Files.writeString(runbooks.resolve("fault-test.yaml"), RUNBOOK);
		catalog.reload(null);
		return scratch.create(name, "CREATE TABLE things (n int); INSERT INTO things SELECT generate_series(1, 20)");
	}

	static void forget() throws Exception {
		Files.deleteIfExists(Path.of("target", "test-runbooks", "fault-test.yaml"));
	}

	Incident awaitingApproval(Target on) {
		Authentication commander = SignedIn.as("commander", Role.COMMANDER);
		Incident incident = this.incidents.open(new Incidents.Opening("fault-test", on.id(), "Queries fail", Severity.SEV2, null),
				commander);
		incident = this.incidents.answer(incident.id(), incident.version(), "broken", "Yes", commander);
		incident = this.incidents.confirmDecision(incident.id(), incident.version(), null, commander);
		return this.incidentApprovals.requestApproval(incident.id(), incident.version(), commander);
	}

	void approve(Incident incident) {
		Authentication lead = SignedIn.as("lead", Role.TEAM_LEAD);
		assertThat(this.approvals.decide(incident.id(), lead, Role.TEAM_LEAD, Approval.Decision.APPROVED, "Go ahead", PASSWORD, ReviewedPlans.current(this.approvals, incident.id()))
			.approved()).isTrue();
		SignedIn.as("commander", Role.COMMANDER);
	}

	Incident approved(Target on) {
		Incident incident = awaitingApproval(on);
		approve(incident);
		return this.incidents.get(incident.id());
	}

	/**
	 * What a console killed while building the index leaves: the attempt STARTED with no live
	 * executor, and on the target the index (built by then). The next view settles it as UNKNOWN.
	 */
	void leaveInterrupted(long incidentId, Target target) throws SQLException {
		leaveStarted(incidentId, "build-index", false);
		try (Connection admin = this.scratch.connect(target); Statement statement = admin.createStatement()) {
			statement.execute("CREATE INDEX IF NOT EXISTS things_n ON things (n)");
		}
	}

	/** The journal row a console killed while sending {@code stepId} leaves: STARTED, nobody running it. */
	void leaveStarted(long incidentId, String stepId, boolean transactional) throws SQLException {
		try (Connection console = this.scratch.connect("backout"); Statement statement = console.createStatement()) {
			statement.execute("""
					INSERT INTO step_run (incident_id, target_id, plan_hash, phase, step_id, attempt, kind, transactional,
					  state, started_at, actor)
					SELECT id, target_id, plan_hash, 'EXECUTE', '%s', 1, 'SQL', %s, 'STARTED', now(), 'commander'
					FROM incident WHERE id = %d""".formatted(stepId, transactional, incidentId));
			statement.execute("UPDATE incident SET state = 'EXECUTING', version = version + 1 WHERE id = " + incidentId);
		}
	}

}
