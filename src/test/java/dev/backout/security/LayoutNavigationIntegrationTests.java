package dev.backout.security;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.backout.IntegrationTest;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.web.servlet.MockMvc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * The layout's menu shows each person the pages their roles open (the server authorizes each
 * request regardless), and nothing to a visitor who is not signed in.
 */
@IntegrationTest
class LayoutNavigationIntegrationTests {

	static final List<String> LINKS = List.of("/approvals", "/history", "/admin/targets", "/admin/users");

	@Autowired
	MockMvc mvc;

	@Test
	void theMenuShowsWhatEachRoleMayOpen() throws Exception {
		Map<String, List<String>> expected = Map.of("COMMANDER", List.of(), "TEAM_LEAD", List.of("/approvals"), "ON_CALL",
				List.of("/approvals"), "AUDITOR", List.of("/history"), "ADMIN", List.of("/history", "/admin/targets", "/admin/users"));
		for (Map.Entry<String, List<String>> role : expected.entrySet()) {
			String page = this.mvc.perform(get("/runbooks").with(user("someone").roles(role.getKey())))
				.andExpect(status().isOk())
				.andReturn()
				.getResponse()
				.getContentAsString();
			assertThat(page).as(role.getKey()).contains("class=\"nav-links\"", "href=\"/incidents\"", "href=\"/profile\"");
			List<String> shown = LINKS.stream().filter((link) -> page.contains("href=\"" + link + "\"")).toList();
			assertThat(shown).as("links shown to %s", role.getKey()).isEqualTo(role.getValue());
		}
		String login = this.mvc.perform(get("/login")).andExpect(status().isOk()).andReturn().getResponse().getContentAsString();
		assertThat(login).doesNotContain("class=\"nav-links\"", "href=\"/profile\"");
	}

	/** The controls and cards of the other pages, asked of the same {@code @viewer} as the menu. */
	@Test
	void eachPageShowsEachRoleItsOwnControls() throws Exception {
		Map<String, String> controls = Map.of("/", "<strong>Incident commander</strong>|<strong>Approver</strong>|"
				+ "<strong>Auditor</strong>|<strong>Administrator</strong>", "/runbooks", "href=\"/runbooks/editor\"|"
				+ "action=\"/runbooks/reload\"", "/incidents", "href=\"/incidents/new\"");
		Map<String, List<String>> expected = Map.of("COMMANDER", List.of("<strong>Incident commander</strong>",
				"href=\"/incidents/new\""), "TEAM_LEAD", List.of("<strong>Approver</strong>"), "ON_CALL",
				List.of("<strong>Approver</strong>"), "AUDITOR", List.of("<strong>Auditor</strong>"), "RUNBOOK_AUTHOR",
				List.of("href=\"/runbooks/editor\""), "ADMIN", List.of("<strong>Administrator</strong>",
						"href=\"/runbooks/editor\"", "action=\"/runbooks/reload\""));
		for (Map.Entry<String, List<String>> role : expected.entrySet()) {
			List<String> shown = new ArrayList<>();
			for (Map.Entry<String, String> page : new TreeMap<>(controls).entrySet()) {
				String html = this.mvc.perform(get(page.getKey()).with(user("someone").roles(role.getKey())))
					.andExpect(status().isOk())
					.andReturn()
					.getResponse()
					.getContentAsString();
				for (String control : page.getValue().split("\\|")) {
					if (html.contains(control)) {
						shown.add(control);
					}
				}
			}
			assertThat(shown).as("shown to %s", role.getKey()).containsExactlyInAnyOrderElementsOf(role.getValue());
		}
	}

}
