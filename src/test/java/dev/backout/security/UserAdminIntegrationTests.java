package dev.backout.security;

import java.util.stream.Stream;

import dev.backout.IntegrationTest;
import dev.backout.SignedIn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.test.context.support.WithMockUser;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.flash;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.model;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.redirectedUrlPattern;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.view;

@IntegrationTest
class UserAdminIntegrationTests {

	@Autowired
	MockMvc mvc;

	@Autowired
	JdbcClient jdbc;

	static Stream<Arguments> everyAdminRequestForEveryOtherRole() {
		Stream<MockHttpServletRequestBuilder> requests = Stream.of(get("/admin/users"), get("/admin/users/new"),
				get("/admin/users/1"), post("/admin/users").param("username", "intruder").param("password", "long-enough-pw"),
				post("/admin/users/1/roles").param("role", "ADMIN"), post("/admin/users/1/roles/ADMIN/revoke"),
				post("/admin/users/1/disable"), post("/admin/users/1/enable"), post("/admin/users/1/unlock"),
				post("/admin/users/1/password").param("password", "new-password-123"));
		return requests.flatMap((request) -> Stream.of(Role.values())
			.filter((role) -> role != Role.ADMIN)
			.map((role) -> Arguments.of(role, request)));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("everyAdminRequestForEveryOtherRole")
	void adminPagesAndActionsAreForbiddenToEveryOtherRole(Role role, MockHttpServletRequestBuilder request)
			throws Exception {
		long usersBefore = count("console_user");
		this.mvc.perform(request.with(user(SignedIn.demoUser(role)).roles(role.name())).with(csrf())).andExpect(status().isForbidden());
		assertThat(count("console_user")).isEqualTo(usersBefore);
	}

	@Test
	@WithMockUser(username = "admin", roles = "ADMIN")
	void anAdminCreatesAUserWhoseCreationIsAudited() throws Exception {
		String name = "newbie-" + System.nanoTime() % 100000;
		this.mvc.perform(post("/admin/users").with(csrf())
			.param("username", name)
			.param("password", "a-good-long-password")
			.param("roles", "COMMANDER", "AUDITOR"))
			.andExpect(redirectedUrlPattern("/admin/users/*"))
			.andExpect(flash().attribute("message", "User " + name + " created."));
		assertThat(this.jdbc.sql("select string_agg(role, ',' order by role) from console_user_role r "
				+ "join console_user u on u.id = r.console_user where u.username = ?").param(name).query(String.class).single())
			.isEqualTo("AUDITOR,COMMANDER");
		assertThat(this.jdbc.sql("select actor from audit_event where action = 'USER_CREATED' and details->>'user' = ?")
			.param(name)
			.query(String.class)
			.single()).isEqualTo("admin");
	}

	@Test
	@WithMockUser(username = "admin", roles = "ADMIN")
	void invalidInputIsExplainedAndNothingIsCreated() throws Exception {
		long usersBefore = count("console_user");
		this.mvc.perform(post("/admin/users").with(csrf()).param("username", "x").param("password", "short"))
			.andExpect(status().isOk())
			.andExpect(view().name("admin/user-new"))
			.andExpect(model().attributeHasFieldErrors("form", "username", "password"));
		this.mvc.perform(post("/admin/users").with(csrf()).param("username", "commander").param("password", "long-enough-password"))
			.andExpect(view().name("admin/user-new"))
			.andExpect(model().attribute("error", "A user named 'commander' already exists."));
		assertThat(count("console_user")).isEqualTo(usersBefore);
	}

	@Test
	@WithMockUser(username = "admin", roles = "ADMIN")
	void grantRevokeDisableAndResetAreEachAudited() throws Exception {
		long id = createUser("changes-" + System.nanoTime() % 100000);
		long before = this.jdbc.sql("select max(seq) from audit_event").query(Long.class).single();
		this.mvc.perform(post("/admin/users/{id}/roles", id).with(csrf()).param("role", "CTO"));
		this.mvc.perform(post("/admin/users/{id}/roles/CTO/revoke", id).with(csrf()));
		this.mvc.perform(post("/admin/users/{id}/disable", id).with(csrf()));
		this.mvc.perform(post("/admin/users/{id}/enable", id).with(csrf()));
		this.mvc.perform(post("/admin/users/{id}/password", id).with(csrf()).param("password", "another-long-password"));
		this.mvc.perform(post("/admin/users/{id}/unlock", id).with(csrf()));
		assertThat(this.jdbc.sql("select action from audit_event where seq > ? order by seq").param(before).query(String.class).list())
			.containsExactly("ROLE_GRANTED", "ROLE_REVOKED", "USER_DISABLED", "USER_ENABLED", "PASSWORD_RESET",
					"USER_UNLOCKED");
	}

	@Test
	@WithMockUser(username = "admin", roles = "ADMIN")
	void anAdminCannotLockThemselvesOut() throws Exception {
		long adminId = this.jdbc.sql("select id from console_user where username = 'admin'").query(Long.class).single();
		this.mvc.perform(post("/admin/users/{id}/disable", adminId).with(csrf()))
			.andExpect(flash().attribute("error", "You cannot disable your own account."));
		this.mvc.perform(post("/admin/users/{id}/roles/ADMIN/revoke", adminId).with(csrf()))
			.andExpect(flash().attribute("error", "You cannot revoke your own administrator role."));
		assertThat(this.jdbc.sql("select enabled from console_user where id = ?").param(adminId).query(Boolean.class).single())
			.isTrue();
	}

	@Test
	@WithMockUser(username = "admin", roles = "ADMIN")
	void aMissingUserIsNotFound() throws Exception {
		this.mvc.perform(get("/admin/users/987654")).andExpect(status().isNotFound());
	}

	private long createUser(String name) throws Exception {
		this.mvc.perform(post("/admin/users").with(csrf()).param("username", name).param("password", "a-good-long-password"));
		return this.jdbc.sql("select id from console_user where username = ?").param(name).query(Long.class).single();
	}

	private long count(String table) {
		return this.jdbc.sql("select count(*) from " + table).query(Long.class).single();
	}

}
