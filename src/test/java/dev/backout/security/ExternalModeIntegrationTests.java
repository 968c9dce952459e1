package dev.backout.security;

import java.nio.file.Path;

import dev.backout.BackoutApplication;
import dev.backout.system.EmbeddedPostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * External mode against a PostgreSQL the console did not start: no demo users, and a first
 * administrator only from configuration.
 */
class ExternalModeIntegrationTests {

	static final String SECRET_KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

	@TempDir
	static Path temp;

	static EmbeddedPostgresServer external;

	@BeforeAll
	static void startExternalDatabase() {
		external = EmbeddedPostgresServer.start(temp.resolve("external"), 0, true);
		external.ensureDatabase("refused");
		external.ensureDatabase("accepted");
	}

	@AfterAll
	static void stopExternalDatabase() throws Exception {
		external.close();
	}

	@Test
	void refusesToStartWithoutAnInitialAdministrator() {
		assertThatExceptionOfType(MissingAdminException.class).isThrownBy(() -> start("refused").close())
			.withMessage("The console database has no users and no initial administrator is configured.");
		assertThat(new MissingAdminFailureAnalyzer().analyze(new MissingAdminException()).getAction())
			.contains("BACKOUT_ADMIN_USERNAME", "BACKOUT_ADMIN_PASSWORD");
	}

	@Test
	void refusesToStartWithoutAKeyForTargetSecrets() {
		assertThatException()
			.isThrownBy(() -> new SpringApplicationBuilder(BackoutApplication.class).run(
					"--spring.datasource.url=" + external.jdbcUrl("refused"), "--spring.datasource.username=postgres",
					"--server.port=0", "--spring.main.banner-mode=off"))
			.havingRootCause()
			.withMessage("No key to encrypt target database passwords is configured.");
	}

	@Test
	void createsTheConfiguredAdministratorAndNoDemoUsers() {
		try (ConfigurableApplicationContext context = start("accepted", "--backout.admin.username=Root",
				"--backout.admin.password=a-long-admin-password")) {
			JdbcClient jdbc = context.getBean(JdbcClient.class);
			assertThat(jdbc.sql("select u.username || ':' || r.role from console_user u join console_user_role r on r.console_user = u.id")
				.query(String.class)
				.list()).containsExactly("root:ADMIN");
			assertThat(context.getBeanProvider(EmbeddedPostgresServer.class).getIfAvailable()).isNull();
			assertThat(context.getEnvironment().getProperty("server.address")).isNull();
		}
	}

	private static ConfigurableApplicationContext start(String database, String... args) {
		String[] all = new String[args.length + 5];
		all[0] = "--spring.datasource.url=" + external.jdbcUrl(database);
		all[1] = "--spring.datasource.username=" + external.username();
		all[2] = "--server.port=0";
		all[3] = "--spring.main.banner-mode=off";
		all[4] = "--backout.secret-key=" + SECRET_KEY;
		System.arraycopy(args, 0, all, 5, args.length);
		return new SpringApplicationBuilder(BackoutApplication.class).run(all);
	}

}
