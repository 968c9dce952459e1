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

	/** The console's own login; migrations run as the server's owner, as they would in production. */
	static final String CONSOLE_ROLE = "console";

	@TempDir
	static Path temp;

	static EmbeddedPostgresServer external;

	@BeforeAll
	static void startExternalDatabase() {
		external = EmbeddedPostgresServer.start(temp.resolve("external"), 0, true);
		external.ensureDatabase("refused");
		external.ensureDatabase("accepted");
		external.ensureDatabase("superuser");
		external.ensureRole(CONSOLE_ROLE);
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
			.isThrownBy(() -> console().run(
					"--spring.datasource.url=" + external.jdbcUrl("refused"), "--spring.datasource.username=" + CONSOLE_ROLE,
					"--spring.liquibase.user=" + external.username(),
					"--server.port=0", "--spring.main.banner-mode=off"))
			.havingRootCause()
			.withMessage("No key to encrypt target database passwords is configured.");
	}

	@Test
	void createsTheConfiguredAdministratorAndNoDemoUsers() throws Exception {
		Path checkpoints = temp.resolve("accepted-checkpoints.jsonl");
		try (ConfigurableApplicationContext context = start("accepted", "--backout.admin.username=Root",
				"--backout.admin.password=a-long-admin-password", "--backout.audit.checkpoint-file=" + checkpoints)) {
			JdbcClient jdbc = context.getBean(JdbcClient.class);
			assertThat(jdbc.sql("select u.username || ':' || r.role from console_user u join console_user_role r on r.console_user = u.id")
				.query(String.class)
				.list()).containsExactly("root:ADMIN");
			assertThat(context.getBeanProvider(EmbeddedPostgresServer.class).getIfAvailable()).isNull();
			assertThat(context.getEnvironment().getProperty("server.address")).isNull();
		}
		// ASVS 4.0.3 V7.3.4: a checkpoint at start-up and one at shutdown, so restarts cannot hide a cut tail.
		assertThat(java.nio.file.Files.readAllLines(checkpoints)).hasSize(2)
			.satisfiesExactly((first) -> assertThat(first).contains("\"number\":1", "\"reason\":\"start-up\""),
					(second) -> assertThat(second).contains("\"number\":2", "\"reason\":\"shutdown\""));
	}

	/** ASVS 4.0.3 V1.4.5 / V7.3.3: no privilege binds a superuser, so the console refuses to run as one, in every mode. */
	@Test
	void refusesToConnectAsASuperuser() {
		assertThatException().isThrownBy(() -> console().run(
				"--spring.datasource.url=" + external.jdbcUrl("superuser"), "--spring.datasource.username=" + external.username(),
				"--server.port=0", "--spring.main.banner-mode=off", "--backout.secret-key=" + SECRET_KEY,
				"--backout.admin.username=root", "--backout.admin.password=a-long-admin-password").close())
			.havingRootCause()
			.isInstanceOf(IllegalStateException.class)
			.withMessage("The console connects to its database as postgres, a superuser: no privilege or trigger protects the trail "
					+ "from it.");
	}

	/**
	 * The shipped docker-compose.yml: docker/postgres/create-roles.sh, run by psql as the postgres
	 * image runs it, leaves a console role that can append to the trail and nothing more.
	 */
	@Test
	void theComposeRolesLetTheConsoleAppendToTheTrailAndNothingMore() throws Exception {
		try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(temp.resolve("compose"), 0, true)) {
			server.ensureDatabase("backout");
			ProcessBuilder psql = new ProcessBuilder("sh", "docker/postgres/create-roles.sh").redirectErrorStream(true);
			psql.environment().putAll(java.util.Map.of("POSTGRES_USER", server.username(), "POSTGRES_DB", "backout",
					"BACKOUT_DB_OWNER_PASSWORD", "owner-secret", "BACKOUT_DB_PASSWORD", "console-secret", "PGHOST", "localhost",
					"PGPORT", String.valueOf(server.port())));
			Process process = psql.start();
			String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
			assertThat(process.waitFor()).as(output).isZero();

			try (ConfigurableApplicationContext context = console().run(
					"--spring.datasource.url=" + server.jdbcUrl("backout"), "--spring.datasource.username=backout",
					"--spring.datasource.password=console-secret", "--spring.liquibase.user=backout_owner",
					"--spring.liquibase.password=owner-secret", "--server.port=0", "--spring.main.banner-mode=off",
					"--backout.secret-key=" + SECRET_KEY, "--backout.admin.username=admin",
					"--backout.admin.password=a-long-admin-password")) {
				JdbcClient jdbc = context.getBean(JdbcClient.class);
				assertThat(jdbc.sql("select rolsuper from pg_roles where rolname = current_user").query(Boolean.class).single()).isFalse();
				assertThat(jdbc.sql("select tableowner from pg_tables where tablename = 'audit_event'").query(String.class).single())
					.isEqualTo("backout_owner");
				assertThat(jdbc.sql("select count(*) from audit_event").query(Long.class).single()).isPositive();
				assertThatException().isThrownBy(() -> jdbc.sql("delete from audit_event").update())
					.havingRootCause()
					.withMessageContaining("permission denied");
				assertThatException().isThrownBy(() -> jdbc.sql("alter table audit_event disable trigger all").update())
					.havingRootCause()
					.withMessageContaining("must be owner");
			}
		}
	}

	/**
	 * The console with its trail key and checkpoints in this test's directory: by default they go
	 * to ./data, where a developer's own console keeps its real ones.
	 */
	private static SpringApplicationBuilder console() {
		return new SpringApplicationBuilder(BackoutApplication.class).properties(
				"backout.audit.key-file=" + temp.resolve("trail.key"),
				"backout.audit.checkpoint-file=" + temp.resolve("audit-checkpoints.jsonl"));
	}

	private static ConfigurableApplicationContext start(String database, String... args) {
		String[] all = new String[args.length + 6];
		all[0] = "--spring.datasource.url=" + external.jdbcUrl(database);
		all[1] = "--spring.datasource.username=" + CONSOLE_ROLE;
		all[2] = "--server.port=0";
		all[3] = "--spring.main.banner-mode=off";
		all[4] = "--backout.secret-key=" + SECRET_KEY;
		all[5] = "--spring.liquibase.user=" + external.username();
		System.arraycopy(args, 0, all, 6, args.length);
		return console().run(all);
	}

}
