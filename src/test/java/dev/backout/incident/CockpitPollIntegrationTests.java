package dev.backout.incident;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.servlet.http.Cookie;

import dev.backout.IntegrationTest;
import dev.backout.SignedIn;
import dev.backout.approval.Approval;
import dev.backout.approval.Approvals;
import dev.backout.approval.ReviewedPlans;
import dev.backout.security.Role;
import dev.backout.target.Target;
import dev.backout.target.Targets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * The page polls its cockpit every few seconds and says which version it shows: an unchanged
 * cockpit is answered 204 without rendering, and anything the fragment shows (the incident, an
 * approval, the viewer, their session, a flash message) makes it render again.
 */
@IntegrationTest
class CockpitPollIntegrationTests {

	/** The message of an action refused before approval (it changes nothing on the cockpit). */
	static final String REFUSAL = "Nothing runs against the target before the incident is approved";

	static final Pattern SHOWN = Pattern.compile("Backout-Cockpit-Shown&quot;: &quot;([0-9a-f]{64})&quot;");

	@Autowired
	MockMvc mvc;

	@Autowired
	ApplicationContext context;

	long id;

	@BeforeEach
	void incidentAwaitingApproval() throws Exception {
		this.id = AwaitingApproval.incident(this.context, "poll-" + System.nanoTime() % 1_000_000);
		SecurityContextHolder.clearContext();
	}

	@AfterEach
	void signOut() {
		SecurityContextHolder.clearContext();
	}

	@Test
	void anUnchangedPollIsAnsweredWithoutRenderingAndAnythingShownRendersItAgain() throws Exception {
		MockHttpServletResponse response = this.mvc.perform(get("/incidents/{id}", this.id).with(user("commander").roles("COMMANDER")))
			.andExpect(status().isOk())
			.andReturn()
			.getResponse();
		Cookie session = response.getCookie("SESSION");
		assertThat(session).as("the session's cookie").isNotNull();
		String shown = version(response.getContentAsString());

		this.mvc.perform(poll(shown, session).with(user("commander").roles("COMMANDER")))
			.andExpect(status().isNoContent())
			.andExpect(content().string(""));
		String fresh = rendered(null, session);
		assertThat(version(fresh)).as("a poll and the page agree on the version").isEqualTo(shown);

		// A form inside the cockpit inherits the header (htmx does not disinherit hx-headers), and the
		// redirect after its post keeps it: only the cockpit's own poll may be answered 204.
		this.mvc.perform(get("/incidents/{id}", this.id).header("HX-Request", "true").header("HX-Trigger", "confirm-decision")
			.header(IncidentController.SHOWN, shown).cookie(session).with(user("commander").roles("COMMANDER")))
			.andExpect(status().isOk());
		// Someone else, or the same person in another session (another CSRF token in the forms).
		this.mvc.perform(poll(shown, session).with(user("lead").roles("TEAM_LEAD"))).andExpect(status().isOk());
		this.mvc.perform(poll(shown, null).with(user("commander").roles("COMMANDER"))).andExpect(status().isOk());
		// A message to show is always rendered: here an action refused (it changes nothing), and its redirect.
		this.mvc.perform(post("/incidents/{id}/steps/{step}", this.id, "add-column").cookie(session).with(csrf())
			.with(user("commander").roles("COMMANDER"))).andExpect(status().is3xxRedirection());
		String withMessage = rendered(shown, session);
		assertThat(withMessage).contains(REFUSAL);
		// The message is shown once: the page's next poll renders the cockpit without it, and the one after changes nothing.
		String withoutMessage = rendered(version(withMessage), session);
		assertThat(withoutMessage).doesNotContain(REFUSAL);
		assertThat(version(withoutMessage)).isEqualTo(shown);
		this.mvc.perform(poll(version(withoutMessage), session).with(user("commander").roles("COMMANDER")))
			.andExpect(status().isNoContent());

		Approvals approvals = this.context.getBean(Approvals.class);
		approvals.decide(this.id, SignedIn.as("lead", Role.TEAM_LEAD), Role.TEAM_LEAD, Approval.Decision.APPROVED, "Go",
				IncidentWorkflowIntegrationTests.PASSWORD, ReviewedPlans.current(approvals, this.id));
		SecurityContextHolder.clearContext();
		String approved = rendered(shown, session);
		assertThat(approved).contains("data-state=\"APPROVED\"");
		assertThat(version(approved)).isNotEqualTo(shown);
	}

	@Test
	void anAdminAllowingSuperuserChecksOnTheTargetRendersTheCockpitAgain() throws Exception {
		MockHttpServletResponse response = this.mvc.perform(get("/incidents/{id}", this.id).with(user("commander").roles("COMMANDER")))
			.andReturn()
			.getResponse();
		Cookie session = response.getCookie("SESSION");
		String shown = version(response.getContentAsString());
		this.mvc.perform(poll(shown, session).with(user("commander").roles("COMMANDER"))).andExpect(status().isNoContent());

		Targets targets = this.context.getBean(Targets.class);
		Target target = targets.get(this.context.getBean(Incidents.class).get(this.id).targetId());
		targets.update(target.id(), new Targets.TargetSpec(target.name(), target.aliasGroup(), target.environment(), target.jdbcUrl(),
				target.username(), null, target.checkUsername(), null, true), SignedIn.as("admin", Role.ADMIN));
		SecurityContextHolder.clearContext();
		this.mvc.perform(poll(shown, session).with(user("commander").roles("COMMANDER")))
			.andExpect(status().isOk())
			.andExpect(content().string(containsString("id=\"superuser-checks\"")));
	}

	@Test
	void theCommandersControlsAreRenderedForTheCommanderOnly() throws Exception {
		String abort = "/incidents/" + this.id + "/abort";
		String offer = "/incidents/" + this.id + "/command/offer";
		this.mvc.perform(poll(null, null).with(user("commander").roles("COMMANDER")))
			.andExpect(content().string(containsString(abort)))
			.andExpect(content().string(containsString(offer)));
		for (String role : new String[] { "TEAM_LEAD", "AUDITOR", "CTO" }) {
			String cockpit = this.mvc.perform(poll(null, null).with(user("someone").roles(role)))
				.andExpect(status().isOk())
				.andReturn()
				.getResponse()
				.getContentAsString();
			assertThat(cockpit).as(role).doesNotContain(abort, offer);
		}
	}

	/**
	 * A change to the journal alone (here another instance recording what a check found) renders
	 * the cockpit again: the steps' attempts count in its version, not only the incident's row.
	 */
	@Test
	void aChangedAttemptRendersTheCockpitAgain() throws Exception {
		MockHttpServletResponse page = this.mvc.perform(get("/incidents/{id}", this.id).with(user("commander").roles("COMMANDER")))
			.andExpect(status().isOk())
			.andReturn()
			.getResponse();
		Cookie session = page.getCookie("SESSION");
		String shown = version(page.getContentAsString());

		this.context.getBean(JdbcClient.class)
			.sql("update step_run set check_value = 'recorded elsewhere' where incident_id = :id")
			.param("id", this.id)
			.update();

		String changed = rendered(shown, session);
		assertThat(version(changed)).isNotEqualTo(shown);
		assertThat(changed).contains("recorded elsewhere");
	}

	/** The commander's poll, answered with the rendered cockpit: its markup. */
	private String rendered(String shown, Cookie session) throws Exception {
		return this.mvc.perform(poll(shown, session).with(user("commander").roles("COMMANDER")))
			.andExpect(status().isOk())
			.andReturn()
			.getResponse()
			.getContentAsString();
	}

	/** A poll in {@code session} (a new one when null), saying it shows {@code shown} (nothing when null). */
	private MockHttpServletRequestBuilder poll(String shown, Cookie session) {
		MockHttpServletRequestBuilder poll = get("/incidents/{id}", this.id).header("HX-Request", "true")
			.header("HX-Trigger", "cockpit");
		if (session != null) {
			poll.cookie(session);
		}
		return (shown != null) ? poll.header(IncidentController.SHOWN, shown) : poll;
	}

	private static String version(String html) {
		Matcher version = SHOWN.matcher(html);
		assertThat(version.find()).as("the polling cockpit says which version it shows").isTrue();
		return version.group(1);
	}

}
