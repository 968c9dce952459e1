package dev.backout.incident;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.backout.IntegrationTest;
import dev.backout.ScratchTargets;
import dev.backout.SignedIn;
import dev.backout.approval.Approval;
import dev.backout.approval.Approvals;
import dev.backout.approval.ReviewedPlans;
import dev.backout.execution.ExecutionPlan;
import dev.backout.execution.Executions;
import dev.backout.execution.PlannedStep;
import dev.backout.execution.StepRun;
import dev.backout.execution.StepState;
import dev.backout.runbook.RunbookCatalog;
import dev.backout.runbook.SqitchImport;
import dev.backout.security.Role;
import dev.backout.system.DemoTarget;
import dev.backout.target.Target;
import dev.backout.target.Targets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A sqitch project the console has never seen (issue 13, item 2): its last three changes — one of
 * them reworked — are imported from the project's own plan, revert and verify scripts, loaded
 * without a hand edit, and reverted end to end on a real PostgreSQL through the whole incident;
 * afterwards the database and sqitch's registry agree, as they would after {@code sqitch revert}.
 */
@IntegrationTest
class SqitchImportIntegrationTests {

	@Autowired
	Incidents incidents;

	@Autowired
	IncidentApprovals incidentApprovals;

	@Autowired
	IncidentSteps incidentSteps;

	@Autowired
	Executions executions;

	@Autowired
	Approvals approvals;

	@Autowired
	RunbookCatalog catalog;

	@Autowired
	DemoTarget demo;

	@Autowired
	Targets targets;

	@AfterEach
	void signOut() {
		SecurityContextHolder.clearContext();
	}

	@Test
	void theLastThreeChangesOfASqitchProjectAreRevertedEndToEndAndTheRegistryAgrees() throws Exception {
		SqitchImport.Draft draft = SqitchImport.of("flipr-revert", SqitchFixture.PLAN, SqitchFixture.SCRIPTS, 3);
		assertThat(draft.changes()).containsExactly("users", "userstats", "flips");
		assertThat(draft.yaml()).contains("tool: sqitch", "ALTER TABLE flipr.users DROP COLUMN twitter;", "DROP VIEW flipr.userstats;")
			.doesNotContain("BEGIN;", "COMMIT;");
		System.out.println(draft.yaml());

		// Loaded as it was imported: no hand edit.
		ImportedRunbooks imported = new ImportedRunbooks(this.catalog, this.incidents, this.incidentApprovals, this.incidentSteps,
				this.executions, this.approvals);
		imported.load("flipr-revert", draft.yaml());
		Target target = new ScratchTargets(this.demo, this.targets).create("flipr-" + System.nanoTime() % 1_000_000,
				SqitchFixture.deployed() + SqitchFixture.REGISTRY + SqitchFixture.DEPLOYED);
		imported.revertEndToEnd("flipr-revert", "revert", target);

		Map<String, String> facts = query(target, """
				SELECT 'flips', coalesce(to_regclass('flipr.flips')::text, 'gone')
				UNION ALL SELECT 'userstats', coalesce(to_regclass('flipr.userstats')::text, 'gone')
				UNION ALL SELECT 'users columns', string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns
				  WHERE table_schema = 'flipr' AND table_name = 'users'
				UNION ALL SELECT 'deployed', string_agg(change_id || ':' || change, ',' ORDER BY committed_at) FROM sqitch.changes
				UNION ALL SELECT 'reverts', string_agg(change, ',' ORDER BY change) FROM sqitch.events WHERE event = 'revert'
				UNION ALL SELECT 'tags', string_agg(tag || '@' || change_id, ',') FROM sqitch.tags
				UNION ALL SELECT 'dependencies', count(*)::text FROM sqitch.dependencies""");
		assertThat(facts).containsEntry("flips", "gone")
			.containsEntry("userstats", "gone")
			.containsEntry("users columns", "nickname,password")
			.containsEntry("deployed", "c1:appschema,c2:users")
			.containsEntry("reverts", "flips,users,userstats")
			.containsEntry("tags", "@v1.0@c2")
			.containsEntry("dependencies", "1");
	}

	private Map<String, String> query(Target on, String sql) throws SQLException {
		Map<String, String> rows = new LinkedHashMap<>();
		try (Connection connection = DriverManager.getConnection(on.jdbcUrl(), this.demo.username(), this.demo.password());
				Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
			while (rs.next()) {
				rows.put(rs.getString(1), rs.getString(2));
			}
		}
		return rows;
	}

}
