package dev.backout.system;

import java.io.IOException;
import java.util.Optional;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.boot.liquibase.autoconfigure.LiquibaseConnectionDetails;
import org.springframework.context.annotation.Bean;

/**
 * Embedded mode: the console's database lives on a PostgreSQL server the console starts.
 * An auto-configuration (not a plain configuration) so that it backs off when anything else,
 * such as a Testcontainers service connection, already provides the connection details.
 */
@AutoConfiguration(before = DataSourceAutoConfiguration.class)
@ConditionalOnBooleanProperty("backout.embedded.enabled")
@ConditionalOnMissingBean(JdbcConnectionDetails.class)
@EnableConfigurationProperties(EmbeddedPostgresProperties.class)
public class EmbeddedPostgresAutoConfiguration {

	/** The console's login role: it may not change the trail (see the last Liquibase changeset). */
	public static final String CONSOLE_ROLE = "backout";

	/** The server the head start began, when there is one for these properties; else started here. */
	@Bean(destroyMethod = "close")
	EmbeddedPostgresServer embeddedPostgresServer(EmbeddedPostgresProperties properties,
			ObjectProvider<EmbeddedPostgresHeadStart.Started> headStart) {
		return Optional.ofNullable(headStart.getIfAvailable())
			.flatMap((started) -> started.claim(properties))
			.orElseGet(() -> startServer(properties));
	}

	/** The server with the console's database and login role in place. */
	static EmbeddedPostgresServer startServer(EmbeddedPostgresProperties properties) {
		EmbeddedPostgresServer server = EmbeddedPostgresServer.start(properties.dataDir(), properties.port(),
				properties.cleanOnExit());
		try {
			server.ensureDatabase(properties.database());
			server.ensureRole(CONSOLE_ROLE);
			return server;
		}
		catch (RuntimeException ex) {
			closeQuietly(server, ex);
			throw ex;
		}
	}

	private static void closeQuietly(EmbeddedPostgresServer server, RuntimeException failure) {
		try {
			server.close();
		}
		catch (IOException | RuntimeException ex) {
			failure.addSuppressed(ex);
		}
	}

	/** Migrations run as the database owner... */
	@Bean
	LiquibaseConnectionDetails embeddedLiquibaseConnectionDetails(EmbeddedPostgresServer server,
			EmbeddedPostgresProperties properties) {
		return new MigrationConnection(server.jdbcUrl(properties.database()), server.username());
	}

	/** ...and the console itself as its own, unprivileged role. */
	@Bean
	JdbcConnectionDetails embeddedConnectionDetails(EmbeddedPostgresServer server, EmbeddedPostgresProperties properties) {
		return new ConsoleConnection(server.jdbcUrl(properties.database()), CONSOLE_ROLE);
	}

	/** The console's connection (trust authentication on localhost: no password). Only a JDBC
	 * connection, so that the migration connection below is not mistaken for it. */
	record ConsoleConnection(String url, String role) implements JdbcConnectionDetails {

		@Override
		public String getJdbcUrl() {
			return this.url;
		}

		@Override
		public String getUsername() {
			return this.role;
		}

		@Override
		public String getPassword() {
			return null;
		}

	}

	/** The owner's connection for Liquibase. */
	record MigrationConnection(String url, String role) implements LiquibaseConnectionDetails {

		@Override
		public String getJdbcUrl() {
			return this.url;
		}

		@Override
		public String getUsername() {
			return this.role;
		}

		@Override
		public String getPassword() {
			return null;
		}

	}

}
