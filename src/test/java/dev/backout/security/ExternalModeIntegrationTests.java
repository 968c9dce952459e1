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
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * External mode against a PostgreSQL the console did not start: no demo users, and a first
 * administrator only from configuration.
 */
class ExternalModeIntegrationTests {

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
		String[] all = new String[args.length + 4];
		all[0] = "--spring.datasource.url=" + external.jdbcUrl(database);
		all[1] = "--spring.datasource.username=" + external.username();
		all[2] = "--server.port=0";
		all[3] = "--spring.main.banner-mode=off";
		System.arraycopy(args, 0, all, 4, args.length);
		return new SpringApplicationBuilder(BackoutApplication.class).run(all);
	}

}
