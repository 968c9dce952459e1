package dev.backout.execution;

import java.sql.Connection;
import java.sql.Statement;
import java.util.List;

import dev.backout.IntegrationTest;
import dev.backout.ScratchTargets;
import dev.backout.runbook.Expectation;
import dev.backout.system.DemoTarget;
import dev.backout.target.Target;
import dev.backout.target.Targets;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Issue 13: migration tools' verify scripts prove things by raising errors, over several
 * statements (sqitch: "SELECT 1/count(*) FROM …"). A check holds them as they are, with
 * {@code succeeds} or {@code fails}.
 */
@IntegrationTest
class ErrorStyleChecksIntegrationTests {

	@Autowired
	DemoTarget demo;

	@Autowired
	Targets targets;

	@Test
	void aVerifyScriptIsACheckThatSucceedsOrFails() throws Exception {
		ScratchTargets scratch = new ScratchTargets(this.demo, this.targets);
		Target target = scratch.create("verify-" + System.nanoTime() % 1_000_000,
				"CREATE TABLE flips (id int, name text); INSERT INTO flips VALUES (1, 'a')");
		Expectation succeeds = new Expectation(null, null, null, null, null, true, null);
		Expectation fails = new Expectation(null, null, null, null, null, null, true);
		List<String> verifyFlips = List.of("SELECT id, name FROM flips WHERE false", "SELECT 1/count(*) FROM flips WHERE id = 1");
		List<String> verifyGone = List.of("SELECT 1/count(*) FROM information_schema.tables WHERE table_name = 'flips'");
		try (Connection connection = scratch.connect(target); Statement statement = connection.createStatement()) {
			connection.setAutoCommit(false);
			statement.execute("SET TRANSACTION READ ONLY");
			assertThat(CheckRun.run(statement, verifyFlips, succeeds, (sql) -> {
			})).isEqualTo(new CheckRun.Result("ran without an error", true, null));
			CheckRun.Result stillThere = CheckRun.run(statement, verifyGone, fails, (sql) -> {
			});
			assertThat(stillThere.passed()).isFalse();
			assertThat(stillThere.failure()).isEqualTo("Check failed: Expected: raises an error; it ran without an error.");
			connection.rollback();

			statement.execute("SET TRANSACTION READ ONLY");
			CheckRun.Result missingColumn = CheckRun.run(statement, List.of("SELECT nope FROM flips WHERE false"), succeeds, (sql) -> {
			});
			assertThat(missingColumn.passed()).isFalse();
			assertThat(missingColumn.shown()).startsWith("raised 42703: column \"nope\" does not exist");
			connection.rollback();

			statement.execute("SET TRANSACTION READ ONLY");
			CheckRun.Result divided = CheckRun.run(statement, List.of("SELECT 1/count(*) FROM flips WHERE id = 2"), fails, (sql) -> {
			});
			assertThat(divided).isEqualTo(new CheckRun.Result("raised 22012: division by zero", true, null));
			connection.rollback();

			statement.execute("SET TRANSACTION READ ONLY");
			assertThatExceptionOfType(java.sql.SQLException.class).as("a value check still fails on an error")
				.isThrownBy(() -> CheckRun.run(statement, List.of("SELECT nope FROM flips"), new Expectation(1, null, null, null, null),
						(sql) -> {
						}));
			connection.rollback();
		}
	}

}
