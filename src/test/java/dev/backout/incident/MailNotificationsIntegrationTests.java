package dev.backout.incident;

import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import dev.backout.IntegrationTest;
import dev.backout.ScratchTargets;
import dev.backout.SignedIn;
import dev.backout.approval.Approval;
import dev.backout.approval.Approvals;
import dev.backout.approval.ReviewedPlans;
import dev.backout.runbook.RunbookCatalog;
import dev.backout.security.Role;
import dev.backout.system.DemoTarget;
import dev.backout.target.Target;
import dev.backout.target.Targets;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * E-mail through a real SMTP server in the test JVM (GreenMail): the approvers are written to when
 * approval is requested and when its deadline nears, the commander never as an approver, and the
 * commander when the incident is approved.
 */
@IntegrationTest
class MailNotificationsIntegrationTests {

	static final ServerSetup SMTP = new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort();

	@RegisterExtension
	static final GreenMailExtension mail = new GreenMailExtension(SMTP).withConfiguration(GreenMailConfiguration.aConfig())
		.withPerMethodLifecycle(false);

	@Autowired
	Incidents incidents;

	@Autowired
	IncidentApprovals incidentApprovals;

	@Autowired
	IncidentSteps incidentSteps;

	@Autowired
	Approvals approvals;

	@Autowired
	OverdueIncidents overdue;

	@Autowired
	RunbookCatalog catalog;

	@Autowired
	DemoTarget demo;

	@Autowired
	Targets targets;

	@Autowired
	JdbcClient jdbc;

	@Autowired
	MockMvc mvc;

	@DynamicPropertySource
	static void smtp(DynamicPropertyRegistry registry) {
		registry.add("spring.mail.host", () -> "127.0.0.1");
		registry.add("spring.mail.port", () -> mail.getSmtp().getPort());
		registry.add("backout.mail.from", () -> "backout@example.com");
		registry.add("backout.webhooks.console-url", () -> "https://backout.example.com");
		registry.add("backout.incidents.overdue-check", () -> "1h");
	}

	@AfterEach
	void signOut() {
		SecurityContextHolder.clearContext();
	}

	@Test
	void approversAreToldOfTheRequestAndTheNearingDeadlineAndTheCommanderOfTheApproval() throws Exception {
		// The lead sets an address on the profile page; the others have theirs already.
		this.mvc.perform(post("/profile/email").param("email", "lead@example.com").with(user("lead").roles("TEAM_LEAD")).with(csrf()))
			.andExpect(status().is3xxRedirection());
		this.mvc.perform(post("/profile/email").param("email", "not an address").with(user("cto").roles("CTO")).with(csrf()))
			.andExpect(status().is3xxRedirection());
		// The commander is a team lead too, as on a small team: still never asked to approve their own incident.
		this.jdbc.sql("insert into console_user_role (console_user, role) select id, 'TEAM_LEAD' from console_user where username = 'commander'")
			.update();
		for (String person : List.of("cto", "commander", "oncall", "auditor")) {
			this.jdbc.sql("update console_user set email = :email where username = :name").param("email", person + "@example.com")
				.param("name", person).update();
		}

		Files.createDirectories(IncidentWorkflowIntegrationTests.RUNBOOKS);
		Files.writeString(IncidentWorkflowIntegrationTests.RUNBOOKS.resolve("incident-test.yaml"), IncidentWorkflowIntegrationTests.RUNBOOK);
		this.catalog.reload(null);
		Target target = new ScratchTargets(this.demo, this.targets).create("mail-" + System.nanoTime() % 1_000_000, "CREATE TABLE things (n int)");
		Authentication commander = SignedIn.as("commander", Role.COMMANDER);
		long id = this.incidents.open(new Incidents.Opening("incident-test", target.id(), "mail", Severity.SEV2, null), commander).id();
		this.incidents.answer(id, this.incidents.get(id).version(), "broken", "Yes", commander);
		this.incidents.confirmDecision(id, this.incidents.get(id).version(), null, commander);
		this.incidentSteps.runPrechecks(id, commander);
		this.incidentSteps.runStep(id, "writes-frozen", null, Map.of(), commander);
		this.incidentApprovals.requestApproval(id, this.incidents.get(id).version(), commander);

		List<MimeMessage> requested = await(2, "Incident " + id + " (incident-test) needs approval");
		assertThat(recipients(requested)).containsExactlyInAnyOrder("lead@example.com", "cto@example.com");
		assertThat(GreenMailUtil.getBody(requested.get(0))).contains("https://backout.example.com/approvals/" + id)
			.contains("never by answering this mail");
		assertThat(requested.get(0).getFrom()[0].toString()).isEqualTo("backout@example.com");

		// The deadline comes within the warning: told once, however often the job runs.
		this.jdbc.sql("update incident set deadline_at = :soon where id = :id").param("soon", java.sql.Timestamp.from(Instant.now().plusSeconds(300)))
			.param("id", id).update();
		this.overdue.mark();
		this.overdue.mark();
		List<MimeMessage> soon = await(2, "Incident " + id + " (incident-test) needs a decision soon");
		assertThat(recipients(soon)).containsExactlyInAnyOrder("lead@example.com", "cto@example.com");

		this.approvals.decide(id, SignedIn.as("lead", Role.TEAM_LEAD), Role.TEAM_LEAD, Approval.Decision.APPROVED, "go",
				IncidentWorkflowIntegrationTests.PASSWORD, ReviewedPlans.current(this.approvals, id));
		List<MimeMessage> approved = await(1, "Incident " + id + " (incident-test) was approved");
		assertThat(recipients(approved)).containsExactly("commander@example.com");

		Thread.sleep(500);
		assertThat(about(id)).as("nothing else, and nothing twice").hasSize(5);
		assertThat(Arrays.stream(mail.getReceivedMessages()).flatMap((m) -> recipientsOf(m).stream()))
			.doesNotContain("oncall@example.com", "auditor@example.com", "not an address");
		assertThat(this.jdbc.sql("select count(*) from audit_event where action = 'EMAIL_CHANGED' and actor = 'lead'").query(Long.class).single())
			.isOne();
	}

	private static List<MimeMessage> await(int count, String subject) throws Exception {
		long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
		while (System.nanoTime() < deadline && withSubject(subject).size() < count) {
			Thread.sleep(50);
		}
		List<MimeMessage> found = withSubject(subject);
		assertThat(found).as(subject).hasSize(count);
		return found;
	}

	private static List<MimeMessage> withSubject(String subject) {
		return Arrays.stream(mail.getReceivedMessages()).filter((m) -> subjectOf(m).equals("[Backout] " + subject)).toList();
	}

	private static List<MimeMessage> about(long id) {
		return Arrays.stream(mail.getReceivedMessages()).filter((m) -> subjectOf(m).startsWith("[Backout] Incident " + id + " ")).toList();
	}

	private static String subjectOf(MimeMessage message) {
		try {
			return message.getSubject();
		}
		catch (jakarta.mail.MessagingException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static List<String> recipients(List<MimeMessage> messages) {
		return messages.stream().flatMap((m) -> recipientsOf(m).stream()).toList();
	}

	private static List<String> recipientsOf(MimeMessage message) {
		try {
			return Arrays.stream(message.getRecipients(Message.RecipientType.TO)).map(Object::toString).toList();
		}
		catch (jakarta.mail.MessagingException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
