package dev.backout.runbook;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Random;

import dev.backout.IntegrationTest;
import dev.backout.system.DemoTarget;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the console's lexer splits is what PostgreSQL executes. Each generated script (strings,
 * escape strings, dollar quotes with odd tags, quoted and non-ASCII names, nested comments, all
 * full of semicolons and dollar signs) runs once whole through the simple protocol, where the
 * server splits it, and once piece by piece as the console splits it: the results must match,
 * one result per piece.
 */
@IntegrationTest
class SqlSplitAgreementTests {

	static final int SCRIPTS = 400;

	@Autowired
	DemoTarget demo;

	@Test
	void theConsolesSplitIsTheServersForAGeneratedCorpus() throws SQLException {
		Random random = new Random(20261122);
		try (Connection simple = connect("simple"); Connection extended = connect("extended")) {
			for (int i = 0; i < SCRIPTS; i++) {
				String script = script(random);
				List<List<String>> byServer;
				try {
					byServer = results(simple, script);
				}
				catch (SQLException ex) {
					throw new AssertionError("The generator wrote SQL the server refuses (" + ex.getMessage() + "):\n" + script, ex);
				}
				List<List<String>> byConsole = new ArrayList<>();
				for (SqlStatement piece : SqlScript.statements(script)) {
					List<List<String>> one = results(extended, piece.text());
					assertThat(one).as("piece %s of script %d:%n%s", piece.text(), i, script).hasSize(1);
					byConsole.addAll(one);
				}
				assertThat(byConsole).as("script %d:%n%s", i, script).isEqualTo(byServer);
			}
		}
	}

	/** The cases that fooled the lexer before, kept by name. */
	@Test
	void aNonAsciiSymbolBeforeADollarSignContinuesTheNameAsItDoesForTheServer() throws SQLException {
		String script = "SELECT 1 AS €$$; SELECT 2 AS two --$$\n";
		assertThat(SqlScript.statements(script)).extracting(SqlStatement::text).containsExactly("SELECT 1 AS €$$", "SELECT 2 AS two");
		try (Connection simple = connect("simple")) {
			assertThat(results(simple, script)).hasSize(2);
		}
	}

	private static String script(Random random) {
		StringBuilder script = new StringBuilder();
		int statements = 1 + random.nextInt(4);
		for (int s = 0; s < statements; s++) {
			script.append(noise(random)).append("SELECT ");
			int columns = 1 + random.nextInt(4);
			for (int c = 0; c < columns; c++) {
				script.append((c > 0) ? ", " : "").append(expression(random)).append(noise(random)).append(" AS ")
					.append(alias(random, s, c));
			}
			script.append(noise(random)).append((s < statements - 1 || random.nextBoolean()) ? ";" : "");
		}
		return script.append(noise(random)).toString();
	}

	private static final String[] TEXT = { ";", "$", "$$", "$a$", "--", "/*", "*/", "\"", "''", "€", "é", "😀", "x", " ", "\n", "\\" };

	private static String text(Random random) {
		StringBuilder text = new StringBuilder();
		for (int i = random.nextInt(6); i > 0; i--) {
			text.append(TEXT[random.nextInt(TEXT.length)]);
		}
		return text.toString();
	}

	private static String expression(Random random) {
		return switch (random.nextInt(5)) {
			case 0 -> "'" + text(random) + "'";
			case 1 -> "E'" + text(random).replace("\\", "\\\\").replace("''", "\\'") + "'";
			case 2 -> {
				String tag = new String[] { "", "a", "x1", "é", "€", "_t" }[random.nextInt(6)];
				String delimiter = "$" + tag + "$";
				String body = text(random);
				if ((body + delimiter).indexOf(delimiter) != body.length()) {
					body = body.replace("$", "");
				}
				yield delimiter + body + delimiter;
			}
			case 3 -> String.valueOf(random.nextInt(1000));
			default -> "'" + text(random) + "'::text";
		};
	}

	private static String alias(Random random, int statement, int column) {
		return switch (random.nextInt(3)) {
			case 0 -> "\"c" + statement + column + ";\"\"$$\"";
			case 1 -> "€" + statement + column + "$$";
			default -> "é_" + statement + column + "$";
		};
	}

	private static String noise(Random random) {
		return switch (random.nextInt(5)) {
			case 0 -> " -- " + text(random).replace("\n", " ") + "\n";
			case 1 -> " /* " + text(random).replace("*/", "").replace("/*", "") + " /* nested ; $$ */ */ ";
			case 2 -> "\n\t";
			default -> " ";
		};
	}

	/** The first row of every result the server returns for {@code sql}, in order. */
	private static List<List<String>> results(Connection connection, String sql) throws SQLException {
		List<List<String>> results = new ArrayList<>();
		try (Statement statement = connection.createStatement()) {
			statement.setEscapeProcessing(false);
			boolean isResult = statement.execute(sql);
			while (true) {
				if (isResult) {
					try (ResultSet rs = statement.getResultSet()) {
						List<String> row = new ArrayList<>();
						rs.next();
						for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
							row.add(rs.getMetaData().getColumnLabel(i) + "=" + rs.getString(i));
						}
						results.add(row);
					}
				}
				else if (statement.getUpdateCount() == -1) {
					return results;
				}
				isResult = statement.getMoreResults();
			}
		}
	}

	private Connection connect(String queryMode) throws SQLException {
		Properties properties = new Properties();
		properties.setProperty("user", this.demo.username());
		if (this.demo.password() != null) {
			properties.setProperty("password", this.demo.password());
		}
		properties.setProperty("preferQueryMode", queryMode);
		return DriverManager.getConnection(this.demo.jdbcUrl(), properties);
	}

}
