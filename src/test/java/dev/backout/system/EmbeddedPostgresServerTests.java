package dev.backout.system;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class EmbeddedPostgresServerTests {

	@TempDir
	Path temp;

	/** The demo target's URL names the port, and approved plans name the URL: a restart keeps both. */
	@Test
	void restartKeepsTheDataAndThePort() throws Exception {
		Path dataDir = this.temp.resolve("pg");
		int port;
		try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dataDir, 0, false)) {
			port = server.port();
			server.ensureDatabase("keep");
			execute(server, "keep", "create table kept (note text); insert into kept values ('survives restarts')");
		}
		try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dataDir, 0, false)) {
			assertThat(server.port()).isEqualTo(port);
			server.ensureDatabase("keep");
			assertThat(queryString(server, "keep", "select note from kept")).isEqualTo("survives restarts");
			assertThat(queryString(server, "keep", "show server_version")).startsWith("17.");
		}
	}

	@Test
	void aSecondConsoleOnTheSameDirectoryIsRefusedInOneLine() throws Exception {
		Path dataDir = this.temp.resolve("shared");
		try (EmbeddedPostgresServer first = EmbeddedPostgresServer.start(dataDir, 0, false)) {
			assertThatExceptionOfType(EmbeddedDatabaseException.class)
				.isThrownBy(() -> EmbeddedPostgresServer.start(dataDir, 0, false))
				.withMessageContaining("is in use by another running Backout console")
				.withMessageNotContaining("\n");
			assertThat(queryString(first, "postgres", "select 'still serving'")).isEqualTo("still serving");
		}
	}

	@Test
	void aDataDirectoryThatIsAFileIsReportedClearly() throws Exception {
		Path notADirectory = Files.writeString(this.temp.resolve("plain-file"), "not a directory");
		assertThatExceptionOfType(EmbeddedDatabaseException.class)
			.isThrownBy(() -> EmbeddedPostgresServer.start(notADirectory, 0, false))
			.withMessageStartingWith("The data directory " + notADirectory.toAbsolutePath())
			.withMessageContaining("cannot be created");
	}

	@Test
	void theFailureAnalysisSaysWhatToDo() {
		var analysis = new EmbeddedDatabaseFailureAnalyzer()
			.analyze(new EmbeddedDatabaseException("The data directory /x is in use by another running Backout console.", null));
		assertThat(analysis.getDescription()).contains("/x is in use");
		assertThat(analysis.getAction()).contains("backout.embedded.data-dir").contains("SPRING_DATASOURCE_URL");
	}

	@Test
	void onlyPlainDatabaseNamesAreCreated() throws Exception {
		try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(this.temp.resolve("names"), 0, true)) {
			assertThatExceptionOfType(IllegalArgumentException.class)
				.isThrownBy(() -> server.ensureDatabase("x; drop database postgres"));
		}
	}

	private static void execute(EmbeddedPostgresServer server, String database, String sql) throws SQLException {
		try (Connection connection = DriverManager.getConnection(server.jdbcUrl(database), server.username(), null);
				Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
	}

	private static String queryString(EmbeddedPostgresServer server, String database, String sql) throws SQLException {
		try (Connection connection = DriverManager.getConnection(server.jdbcUrl(database), server.username(), null);
				Statement statement = connection.createStatement();
				ResultSet rs = statement.executeQuery(sql)) {
			rs.next();
			return rs.getString(1);
		}
	}

}
