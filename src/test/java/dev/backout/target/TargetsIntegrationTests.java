package dev.backout.target;

import java.util.stream.Stream;

import dev.backout.IntegrationTest;
import dev.backout.SignedIn;
import dev.backout.security.Role;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.authentication.TestingAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

@IntegrationTest
@ExtendWith(OutputCaptureExtension.class)
class TargetsIntegrationTests {

	static final String SECRET = "Sup3r-Secret-Pa55word";

	static final Authentication ADMIN = new TestingAuthenticationToken("admin", null, "ROLE_ADMIN");

	@Autowired
	Targets targets;

	@Autowired
	JdbcClient jdbc;

	@Autowired
	MockMvc mvc;

	@Autowired
	TargetRepository repository;

	@Test
	void theDemoTargetIsRegisteredAndReachableWithAWritableRole() {
		Target demo = this.targets.findByName("demo").orElseThrow();
		assertThat(demo.aliasGroup()).isEqualTo("demo");
		assertThat(demo.environment()).isEqualTo(Environment.DEMO);
		ConnectionCheck check = this.targets.test(demo.id(), ADMIN);
		assertThat(check.reachable()).isTrue();
		assertThat(check.serverVersion()).startsWith("17.");
		assertThat(check.canWrite()).isTrue();
		assertThat(check.latency()).isPositive();
	}

	/** ASVS 4.0.3 V1.4.5: "Test connection" says, per credential, what it may do and what to change. */
	@Test
	void testConnectionReportsWhatEachCredentialMayDoAndWhatToGrant() throws Exception {
		Target demo = this.targets.findByName("demo").orElseThrow();
		assertThat(this.targets.test(demo.id(), ADMIN).roles()).extracting(ConnectionCheck.RoleReport::purpose,
				ConnectionCheck.RoleReport::role, ConnectionCheck.RoleReport::superuser, ConnectionCheck.RoleReport::advice)
			.containsExactly(org.assertj.core.groups.Tuple.tuple("steps", "demo_owner", false, null),
					org.assertj.core.groups.Tuple.tuple("checks", "demo_reader", false, null));

		Target asSuperuser = this.targets.register(new Targets.TargetSpec("super-" + System.nanoTime() % 100000, "demo",
				Environment.STAGING, demo.jdbcUrl(), "postgres", null), ADMIN);
		ConnectionCheck check = this.targets.test(asSuperuser.id(), ADMIN);
		assertThat(check.roles()).allSatisfy((role) -> assertThat(role.superuser()).isTrue());
		assertThat(check.roles().get(0).advice()).startsWith("Steps run as a superuser");
		assertThat(check.roles().get(1).advice()).startsWith("Checks are refused: they would run as a superuser.")
			.contains("GRANT pg_read_all_data TO backout_reader");
		assertThat(check.roles().get(1).powers()).contains("superuser", "runs server programs", "reads server files");
		this.mvc.perform(post("/admin/targets/{id}/test", asSuperuser.id()).with(user("admin").roles("ADMIN")).with(csrf()))
			.andExpect(content().string(containsString("Checks are refused: they would run as a superuser.")));
	}

	@Test
	void passwordsAreEncryptedAtRestAndNeverLoggedShownOrAudited(CapturedOutput output) throws Exception {
		Target demo = this.targets.findByName("demo").orElseThrow();
		Target target = this.targets.register(new Targets.TargetSpec("secretive-" + System.nanoTime() % 100000, "demo",
				Environment.STAGING, demo.jdbcUrl(), demo.username(), SECRET), ADMIN);

		byte[] stored = this.jdbc.sql("select password_encrypted from target where id = ?").param(target.id()).query(byte[].class).single();
		assertThat(new String(stored, java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain(SECRET);
		assertThat(this.targets.test(target.id(), ADMIN).reachable()).isTrue();
		this.targets.update(target.id(), new Targets.TargetSpec(target.name(), "demo", Environment.STAGING,
				demo.jdbcUrl(), demo.username(), SECRET + "-rotated"), ADMIN);

		this.mvc.perform(get("/admin/targets/{id}", target.id()).with(user("admin").roles("ADMIN")))
			.andExpect(status().isOk())
			.andExpect(content().string(not(containsString(SECRET))));
		this.mvc.perform(get("/admin/targets").with(user("admin").roles("ADMIN")))
			.andExpect(content().string(containsString(target.name())))
			.andExpect(content().string(not(containsString(SECRET))));
		assertThat(this.jdbc.sql("select count(*) from audit_event where details::text like ?")
			.param("%" + SECRET + "%")
			.query(Long.class)
			.single()).isZero();
		assertThat(output.getAll()).doesNotContain(SECRET);
		assertThat(target.toString()).doesNotContain("password");
	}

	@Test
	void aTargetReadByIdCarriesEveryColumnAsTheRegistryStoredIt() {
		Target registered = this.targets.register(new Targets.TargetSpec("every-column-" + System.nanoTime() % 100000, "demo",
				Environment.STAGING, "jdbc:postgresql://db.internal:5432/app", "app_owner", "owner-secret", "app_reader",
				"reader-secret", true), ADMIN);

		Target read = this.targets.get(registered.id());

		assertThat(read).usingRecursiveComparison().isEqualTo(this.repository.findById(registered.id()).orElseThrow());
		assertThat(read.checkPasswordEncrypted()).isNotEmpty();
		assertThat(read.allowSuperuserChecks()).isTrue();
		assertThatExceptionOfType(org.springframework.web.server.ResponseStatusException.class)
			.isThrownBy(() -> this.targets.get(Long.MAX_VALUE));
	}

	@Test
	void badInputIsRefusedWithAPlainMessageAndNothingIsStored() {
		long before = this.jdbc.sql("select count(*) from target").query(Long.class).single();
		assertThatExceptionOfType(TargetException.class)
			.isThrownBy(() -> this.targets.register(new Targets.TargetSpec("leaky", "prod", Environment.PRODUCTION,
					"jdbc:postgresql://db:5432/app?password=" + SECRET, "app", null), ADMIN))
			.withMessageContaining("not in the JDBC URL");
		assertThatExceptionOfType(TargetException.class)
			.isThrownBy(() -> this.targets.register(new Targets.TargetSpec("odd", "prod", Environment.PRODUCTION,
					"jdbc:mysql://db/app", "app", null), ADMIN))
			.withMessage("The JDBC URL must look like jdbc:postgresql://host:5432/database.");
		assertThatExceptionOfType(TargetException.class)
			.isThrownBy(() -> this.targets.register(new Targets.TargetSpec("demo", "demo", Environment.DEMO,
					"jdbc:postgresql://db:5432/app", "app", null), ADMIN))
			.withMessage("A target named 'demo' already exists.");
		assertThat(this.jdbc.sql("select count(*) from target").query(Long.class).single()).isEqualTo(before);
	}

	@Test
	void anUnreachableTargetIsReportedNotThrown() {
		Target target = this.targets.register(new Targets.TargetSpec("nowhere-" + System.nanoTime() % 100000, "x",
				Environment.STAGING, "jdbc:postgresql://127.0.0.1:1/none", "nobody", SECRET), ADMIN);
		ConnectionCheck check = this.targets.test(target.id(), ADMIN);
		assertThat(check.reachable()).isFalse();
		assertThat(check.problem()).isNotBlank().doesNotContain(SECRET);
	}

	static Stream<Arguments> everyTargetAdminRequestForEveryOtherRole() {
		Stream<MockHttpServletRequestBuilder> requests = Stream.of(get("/admin/targets"), get("/admin/targets/new"),
				get("/admin/targets/1"), post("/admin/targets").param("name", "x"), post("/admin/targets/1"),
				post("/admin/targets/1/test"), post("/admin/targets/1/remove"), post("/admin/targets/recover"));
		return requests.flatMap((request) -> Stream.of(Role.values())
			.filter((role) -> role != Role.ADMIN)
			.map((role) -> Arguments.of(role, request)));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("everyTargetAdminRequestForEveryOtherRole")
	void targetAdministrationIsForAdminsOnly(Role role, MockHttpServletRequestBuilder request) throws Exception {
		this.mvc.perform(request.with(user(SignedIn.demoUser(role)).roles(role.name())).with(csrf())).andExpect(status().isForbidden());
	}

	@Test
	void anAdminRecoversInterruptedStepsOnDemand() throws Exception {
		this.mvc.perform(post("/admin/targets/recover").with(user("admin").roles("ADMIN")).with(csrf()))
			.andExpect(status().is3xxRedirection())
			.andExpect(org.springframework.test.web.servlet.result.MockMvcResultMatchers.flash()
				.attribute("message", containsString("interrupted step attempts")));
	}

	@Test
	void testConnectionAnswersHtmxWithAFragment() throws Exception {
		Target demo = this.targets.findByName("demo").orElseThrow();
		this.mvc.perform(post("/admin/targets/{id}/test", demo.id()).header("HX-Request", "true")
			.with(user("admin").roles("ADMIN"))
			.with(csrf()))
			.andExpect(status().isOk())
			.andExpect(content().string(containsString("Connected: PostgreSQL")))
			.andExpect(content().string(not(containsString("<html"))));
	}

}
