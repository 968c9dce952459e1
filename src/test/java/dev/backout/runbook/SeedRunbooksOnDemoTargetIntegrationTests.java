package dev.backout.runbook;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import dev.backout.IntegrationTest;
import dev.backout.system.DemoTarget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.security.authentication.TestingAuthenticationToken;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Each seed runbook, on a freshly built demo target: its pre-checks pass, the steps its
 * decision chooses run, its verification checks pass, and its pre-checks then refuse a second
 * run. Statements are sent with plain JDBC here (checks in READ ONLY transactions, each step in
 * its own transaction); the console's own executor is a separate piece of work.
 */
@IntegrationTest
class SeedRunbooksOnDemoTargetIntegrationTests {

	@Autowired
	RunbookCatalog catalog;

	@Autowired
	DemoTarget demo;

	@ParameterizedTest(name = "{0}: {1} {2}")
	@CsvSource(delimiter = '|', value = {
			"core-schema-202510041230|ROLLBACK|",
			"core-schema-202510041230|PARTIAL|Yes, keep the enum types",
			"memory-schema-rls|ROLLBACK|",
			"memory-schema-rls|ROLLBACK_AND_RESTORE|",
			"memory-schema-rls|PARTIAL|Yes",
			"knowledge-base-transformation|PARTIAL|Option 1: set temporary passwords",
			"knowledge-base-transformation|PARTIAL|Option 2: delete OAuth users (deletes user data)",
			"knowledge-base-transformation|PARTIAL|Option 3: keep OAuth users, skip the OAuth rollback (012)",
			"sponsor-coaching|ROLLBACK|",
			"sponsor-coaching|PARTIAL|The sequence fix (IDs generating incorrectly, null constraint violations)",
			"ecto-schema-alignment|ROLLBACK|" })
	void theChosenStepsRollBackTheDemoTargetAndVerificationPasses(String runbookId, Outcome outcome, String partialAnswer)
			throws SQLException {
		Runbook runbook = this.catalog.get(runbookId).runbook();
		List<Phase> plan = runbook.plan(outcome, partialSteps(runbook, partialAnswer));
		resetDemo();
		try (Connection target = connect()) {
			for (Phase phase : plan) {
				for (Step step : phase.steps()) {
					switch (step.kind()) {
						case CHECK -> assertCheck(target, step, true);
						case BACKUP -> backup(target, step);
						case SQL -> execute(target, step);
						case MANUAL -> assertThat(step.manual()).isNotBlank();
					}
				}
			}
			if (outcome != Outcome.PARTIAL) {
				List<Step> prechecks = runbook.phases().precheck().steps().stream().filter((s) -> s.expect() != null).toList();
				assertThat(prechecks).as("pre-checks of %s refuse a second run", runbookId)
					.anySatisfy((check) -> assertCheck(target, check, false));
			}
		}
	}

	@Test
	void theFullOAuthRollbackFailsWhileOAuthUsersExistAsTheSeedWarns() throws SQLException {
		Runbook runbook = this.catalog.get("knowledge-base-transformation").runbook();
		Step rollback012 = runbook.step("rollback-012-oauth").orElseThrow();
		resetDemo();
		try (Connection target = connect()) {
			assertThat(queryValue(target, runbook.step("oauth-users-count").orElseThrow().check())).isEqualTo(80L);
			assertThatExceptionOfType(SQLException.class).isThrownBy(() -> execute(target, rollback012))
				.satisfies((ex) -> assertThat(ex.getSQLState()).isEqualTo("23502"));
			// Nothing of the failed step is left behind: it ran in one transaction.
			assertThat(queryValue(target, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'users' "
					+ "AND column_name = 'oauth_provider'")).isEqualTo(1L);
		}
	}

	@Test
	void backupsKeepEveryRowOfTheDroppedTables() throws SQLException {
		Runbook runbook = this.catalog.get("sponsor-coaching").runbook();
		resetDemo();
		try (Connection target = connect()) {
			backup(target, runbook.step("export-coaching-data").orElseThrow());
			for (Step drop : runbook.plan(Outcome.ROLLBACK, List.of()).stream()
				.filter((p) -> p.name() == PhaseName.EXECUTE)
				.flatMap((p) -> p.steps().stream())
				.toList()) {
				execute(target, drop);
			}
			assertThat(queryValue(target, "SELECT count(*) FROM backout_backup.sponsor_chat_messages__test")).isEqualTo(5000L);
			assertThat(queryValue(target, "SELECT count(*) FROM backout_backup.sponsor_visible_memos__test")).isEqualTo(1500L);
		}
	}

	private void resetDemo() {
		this.demo.reset(new TestingAuthenticationToken("admin", null, "ROLE_ADMIN"));
	}

	private Connection connect() throws SQLException {
		return DriverManager.getConnection(this.demo.jdbcUrl(), this.demo.username(), this.demo.password());
	}

	private static List<String> partialSteps(Runbook runbook, String answerText) {
		return (answerText == null) ? List.of() : runbook.decision().answerNamed(answerText).orElseThrow().steps();
	}

	private static void assertCheck(Connection target, Step check, boolean expectedToPass) {
		try {
			target.setAutoCommit(false);
			target.setReadOnly(true);
			try (Statement statement = target.createStatement(); ResultSet rs = statement.executeQuery(check.check())) {
				boolean hasRow = rs.next();
				Object value = hasRow ? rs.getObject(1) : null;
				if (check.expect() != null) {
					assertThat(check.expect().isMetBy(hasRow, value))
						.as("%s: %s, got %s", check.id(), check.expect().describe(), value)
						.isEqualTo(expectedToPass);
				}
			}
			finally {
				target.rollback();
				target.setReadOnly(false);
				target.setAutoCommit(true);
			}
		}
		catch (SQLException ex) {
			// A check whose objects are gone fails too (a pre-check after the rollback).
			assertThat(expectedToPass).as("%s failed: %s", check.id(), ex.getMessage()).isFalse();
		}
	}

	/**
	 * Copies each table, enum columns as text: a copy that kept the enum type would make the
	 * rollback's own DROP TYPE fail (seed 000 drops its enum types after its tables).
	 */
	private static void backup(Connection target, Step backup) throws SQLException {
		try (Statement statement = target.createStatement()) {
			statement.execute("CREATE SCHEMA IF NOT EXISTS backout_backup");
			for (String table : backup.backup()) {
				List<String> columns = new ArrayList<>();
				try (ResultSet rs = statement.executeQuery("SELECT column_name, data_type FROM information_schema.columns "
						+ "WHERE table_schema = 'public' AND table_name = '" + table + "' ORDER BY ordinal_position")) {
					while (rs.next()) {
						String column = "\"" + rs.getString(1) + "\"";
						columns.add(rs.getString(2).equals("USER-DEFINED") ? column + "::text AS " + column : column);
					}
				}
				statement.execute("CREATE TABLE backout_backup." + table + "__test AS SELECT " + String.join(", ", columns)
						+ " FROM public." + table);
			}
		}
	}

	private static void execute(Connection target, Step step) throws SQLException {
		target.setAutoCommit(false);
		try (Statement statement = target.createStatement()) {
			statement.execute("SET LOCAL lock_timeout = '5s'");
			statement.execute("SET LOCAL statement_timeout = '60s'");
			List<String> sent = new ArrayList<>();
			for (SqlStatement sql : SqlScript.statements(step.sql())) {
				sent.add(sql.text());
				statement.execute(sql.text());
			}
			target.commit();
		}
		catch (SQLException ex) {
			target.rollback();
			throw ex;
		}
		finally {
			target.setAutoCommit(true);
		}
	}

	private static Object queryValue(Connection target, String sql) throws SQLException {
		try (Statement statement = target.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
			rs.next();
			return rs.getObject(1);
		}
	}

}
