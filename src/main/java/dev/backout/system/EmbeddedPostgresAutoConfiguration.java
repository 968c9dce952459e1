package dev.backout.system;

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

	@Bean(destroyMethod = "close")
	EmbeddedPostgresServer embeddedPostgresServer(EmbeddedPostgresProperties properties) {
		EmbeddedPostgresServer server = EmbeddedPostgresServer.start(properties.dataDir(), properties.port(),
				properties.cleanOnExit());
		server.ensureDatabase(properties.database());
		server.ensureRole(CONSOLE_ROLE);
		return server;
	}

	/** Migrations run as the database owner... */
	@Bean
	LiquibaseConnectionDetails embeddedLiquibaseConnectionDetails(EmbeddedPostgresServer server,
			EmbeddedPostgresProperties properties) {
		String url = server.jdbcUrl(properties.database());
		return new LiquibaseConnectionDetails() {

			@Override
			public String getUsername() {
				return server.username();
			}

			@Override
			public String getPassword() {
				return null;
			}

			@Override
			public String getJdbcUrl() {
				return url;
			}

		};
	}

	/** ...and the console itself as its own, unprivileged role. */
	@Bean
	JdbcConnectionDetails embeddedConnectionDetails(EmbeddedPostgresServer server,
			EmbeddedPostgresProperties properties) {
		String url = server.jdbcUrl(properties.database());
		return new JdbcConnectionDetails() {

			@Override
			public String getUsername() {
				return CONSOLE_ROLE;
			}

			@Override
			public String getPassword() {
				return null;
			}

			@Override
			public String getJdbcUrl() {
				return url;
			}

		};
	}

}
