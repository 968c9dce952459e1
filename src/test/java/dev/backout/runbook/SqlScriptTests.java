package dev.backout.runbook;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class SqlScriptTests {

	@Test
	void splitsAtTopLevelSemicolonsOnly() {
		List<SqlStatement> statements = SqlScript.statements("""
				UPDATE t SET note = 'a;b' WHERE id = 1;
				CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $body$ BEGIN RETURN NEW; END $body$;
				-- a comment; with a semicolon
				SELECT "odd;name" FROM t /* also; here */;
				""");
		assertThat(statements).extracting(SqlStatement::text)
			.containsExactly("UPDATE t SET note = 'a;b' WHERE id = 1",
					"CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $body$ BEGIN RETURN NEW; END $body$",
					"SELECT \"odd;name\" FROM t");
	}

	@Test
	void tokensConcatenateBackToTheScript() {
		String sql = "SELECT E'it\\'s', $$x$$, 1.5 -- c\n/* a /* nested */ b */ FROM \"T\";";
		assertThat(String.join("", SqlScript.tokens(sql).stream().map(SqlToken::text).toList())).isEqualTo(sql);
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', value = { "DROP TABLE IF EXISTS memory_chunks|DROP TABLE", "drop schema app cascade|DROP SCHEMA",
			"DROP TYPE chat_role|DROP TYPE", "DROP MATERIALIZED VIEW mv|DROP MATERIALIZED VIEW", "TRUNCATE audit_log|TRUNCATE",
			"DELETE FROM users|DELETE without a WHERE that filters",
			"WITH gone AS (DELETE FROM t RETURNING id) SELECT count(*) FROM gone|DELETE without a WHERE that filters",
			"DELETE FROM users WHERE true|DELETE without a WHERE that filters", "UPDATE users SET admin = true|UPDATE without a WHERE that filters",
			"update users set admin = true where TRUE|UPDATE without a WHERE that filters",
			"DROP DOMAIN email CASCADE|DROP DOMAIN … CASCADE", "DROP EXTENSION vector CASCADE|DROP EXTENSION … CASCADE",
			"DROP OWNED BY app|DROP OWNED", "GRANT ALL ON users TO public|GRANT (changes privileges)",
			"ALTER ROLE backout SUPERUSER|ALTER ROLE (changes roles)", "CREATE USER intruder|CREATE USER (changes roles)",
			"ALTER TABLE users OWNER TO intruder|OWNER TO (changes ownership)", "SET ROLE postgres|SET ROLE (changes who the session is)",
			"ALTER TABLE users DROP COLUMN oauth_id|ALTER … DROP COLUMN", "ALTER TABLE users DROP oauth_id|ALTER … DROP",
			"ALTER TABLE t ADD COLUMN a int, DROP COLUMN IF EXISTS b|ALTER … DROP COLUMN" })
	void recognisesStatementsThatDestroyData(String sql, String reason) {
		assertThat(single(sql).destruction()).hasValue(reason);
	}

	@ParameterizedTest
	@ValueSource(strings = { "-- DROP TABLE memory_chunks\nSELECT 1", "SELECT 'DROP TABLE x'", "SELECT $$TRUNCATE t$$",
			"/* DELETE FROM users */ SELECT 1", "DELETE FROM users WHERE password_hash IS NULL",
			"ALTER TABLE t ALTER COLUMN c DROP NOT NULL", "ALTER TABLE t DROP CONSTRAINT t_fk",
			"ALTER TABLE t ALTER COLUMN c DROP DEFAULT", "DROP INDEX IF EXISTS idx", "DROP POLICY IF EXISTS p ON t",
			"CREATE TRIGGER trg BEFORE DELETE ON t FOR EACH ROW EXECUTE FUNCTION f()",
			"CREATE TABLE c (id int REFERENCES p (id) ON DELETE CASCADE)", "SELECT \"DROP\" FROM \"TABLE\"" })
	void commentsStringsAndHarmlessDropsAreNotDestructive(String sql) {
		assertThat(SqlScript.statements(sql)).allSatisfy((statement) -> assertThat(statement.destruction()).isEmpty());
	}

	@ParameterizedTest
	@ValueSource(strings = { "BEGIN", "commit", "ROLLBACK", "START TRANSACTION", "SAVEPOINT s1", "END" })
	void recognisesTransactionControl(String sql) {
		assertThat(single(sql).isTransactionControl()).isTrue();
	}

	@Test
	void aBeginInsideAFunctionBodyIsNotTransactionControl() {
		assertThat(SqlScript.statements("CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN NULL; END $$"))
			.singleElement()
			.satisfies((statement) -> assertThat(statement.isTransactionControl()).isFalse());
	}

	@ParameterizedTest
	@ValueSource(strings = { "CREATE INDEX CONCURRENTLY i ON t (c)", "CREATE UNIQUE INDEX CONCURRENTLY i ON t (c)",
			"DROP INDEX CONCURRENTLY IF EXISTS i", "REINDEX INDEX CONCURRENTLY i", "VACUUM ANALYZE t", "CREATE DATABASE d" })
	void recognisesStatementsThatCannotRunInATransaction(String sql) {
		assertThat(single(sql).requiresNoTransaction()).isTrue();
	}

	@Test
	void aPlainIndexRunsInATransaction() {
		assertThat(single("CREATE INDEX i ON t (c)").requiresNoTransaction()).isFalse();
	}

	@Test
	void dropsWithoutIfExistsAreNoticed() {
		assertThat(single("DROP TABLE t").dropsWithoutIfExists()).isTrue();
		assertThat(single("ALTER TABLE t DROP COLUMN c").dropsWithoutIfExists()).isTrue();
		assertThat(single("DROP TABLE IF EXISTS t").dropsWithoutIfExists()).isFalse();
		assertThat(single("DROP INDEX CONCURRENTLY IF EXISTS i").dropsWithoutIfExists()).isFalse();
		assertThat(single("ALTER TABLE t ALTER COLUMN c DROP NOT NULL").dropsWithoutIfExists()).isFalse();
	}

	@Test
	void readOnlyQueriesAreTold() {
		assertThat(single("SELECT count(*) FROM t").isReadOnlyQuery()).isTrue();
		assertThat(single("WITH x AS (SELECT 1) SELECT * FROM x").isReadOnlyQuery()).isTrue();
		assertThat(single("SHOW server_version").isReadOnlyQuery()).isTrue();
		assertThat(single("WITH x AS (DELETE FROM t RETURNING 1) SELECT * FROM x").isReadOnlyQuery()).isFalse();
		assertThat(single("UPDATE t SET a = 1").isReadOnlyQuery()).isFalse();
	}

	@Test
	void highlightingClassesFollowTheTokenKind() {
		List<SqlToken> tokens = SqlScript.tokens("SELECT 'x', 42 -- note\nFROM t");
		assertThat(tokens).filteredOn((t) -> !t.cssClass().isEmpty())
			.extracting(SqlToken::cssClass)
			.containsExactly("sql-kw", "sql-str", "sql-num", "sql-cmt", "sql-kw", "sql-id");
	}

	private static SqlStatement single(String sql) {
		List<SqlStatement> statements = SqlScript.statements(sql);
		assertThat(statements).hasSize(1);
		return statements.get(0);
	}

}
